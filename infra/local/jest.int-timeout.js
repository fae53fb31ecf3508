// Integration tests wait on real services (with wait-for helpers, never fixed sleeps).
jest.setTimeout(90_000);
