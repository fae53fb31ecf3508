// End-to-end tests start the apps as processes.
jest.setTimeout(240_000);
