"""Reads Avro records with Confluent's Python client and prints them as JSON lines.

A foreign reader for the integration tests: if it decodes what the project produced, the
project speaks the Confluent wire format and the registry protocol as everyone else does.

usage: avro_consume.py BROKERS REGISTRY_URL TOPIC GROUP COUNT TIMEOUT_S
"""

import datetime
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """JSON for the logical types fastavro returns: timestamps as epoch ms, UUIDs as text."""
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


STARTED = time.monotonic()


def phase(text):
    """Each step on stderr with its time, so a run that times out says where it stood."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {text}", file=sys.stderr, flush=True)


def main() -> int:
    brokers, registry_url, topic, group, count, timeout_s = sys.argv[1:7]
    deadline = STARTED + float(timeout_s)
    registry = SchemaRegistryClient({"url": registry_url, "timeout": 20})
    deserializer = AvroDeserializer(registry)
    consumer = Consumer(
        {
            "bootstrap.servers": brokers,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    # Every partition from its beginning, without joining a group: nothing to wait for but data.
    phase(f"reading metadata of {topic}")
    metadata = consumer.list_topics(topic, timeout=20)
    partitions = metadata.topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    phase(f"assigned {len(partitions)} partitions")
    wanted, seen = int(count), 0
    try:
        while seen < wanted and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                print(f"kafka error: {message.error()}", file=sys.stderr)
                return 2
            raw = message.value()
            value = deserializer(raw, SerializationContext(topic, MessageField.VALUE))
            key = message.key()
            print(
                json.dumps(
                    {
                        "key": key.decode() if key is not None else None,
                        "schemaId": int.from_bytes(raw[1:5], "big"),
                        "value": value,
                    },
                    default=plain,
                ),
                flush=True,
            )
            seen += 1
            phase(f"decoded {seen}/{wanted}")
    finally:
        phase("closing")
        consumer.close()
        phase("closed")
    return 0 if seen == wanted else 3


if __name__ == "__main__":
    sys.exit(main())
