// cognito-local's test context carries their logger; the data store shim ignores it.
export const TestContext = {};
