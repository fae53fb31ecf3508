"""Presidio's findings on each text of a JSON Lines stream.

Reads `{"id": ..., "text": ...}` lines on stdin; writes, per line, `{"id": ..., "spans":
[{"start", "end", "entity", "score"}]}` with Presidio's analyzer in French (spaCy's
fr_core_news_md for names and places, Presidio's own pattern recognizers for the rest).
Offsets are Python string indices (code points); the caller converts them.
"""
import json
import sys

import tldextract
import tldextract.tldextract

# No network here: the e-mail and URL recognizers read the public suffix list bundled with
# tldextract instead of fetching it.
tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
tldextract.extract = tldextract.tldextract.TLD_EXTRACTOR

from presidio_analyzer import AnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402

provider = NlpEngineProvider(
    nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "fr", "model_name": "fr_core_news_md"}],
    }
)
analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["fr"])

for line in sys.stdin:
    item = json.loads(line)
    found = analyzer.analyze(text=item["text"], language="fr")
    spans = [
        {"start": r.start, "end": r.end, "entity": r.entity_type, "score": r.score}
        for r in found
    ]
    print(json.dumps({"id": item["id"], "spans": spans}, ensure_ascii=False), flush=True)
