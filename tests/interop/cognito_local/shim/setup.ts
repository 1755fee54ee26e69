// Replaces cognito-local's integration-tests/aws-sdk/setup.ts: instead of their in-process
// server, every test gets a fresh cognito-emulator process, reached through the same AWS SDK
// v2 client their tests use. The two service handles their tests read (delivered messages and
// the data store) are answered from the emulator's /_emulator/messages hook.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as AWS from "aws-sdk";
import { afterEach, beforeEach } from "vitest";

const EMULATOR = process.env.COGNITO_EMULATOR_BIN;

interface EmulatorMessage {
  code: string;
  deliveryMedium: "EMAIL" | "SMS";
  destination: string;
  kind: string;
  username: string;
}

/** The emulator's delivered messages, read synchronously because their tests read a getter. */
const messagesOf = (url: string): EmulatorMessage[] =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        "-e",
        "fetch(process.argv[1]).then(r => r.text()).then(t => process.stdout.write(t))",
        `${url}/_emulator/messages`,
      ],
      { encoding: "utf8" },
    ),
  );

/** cognito-local's FakeMessageDeliveryService, as their assertions see it. */
class EmulatorMessages {
  constructor(private readonly url: () => string) {}

  get collectedMessages() {
    return messagesOf(this.url()).map((m) => ({
      deliveryDetails: {
        AttributeName: m.deliveryMedium === "SMS" ? "phone_number" : "email",
        DeliveryMedium: m.deliveryMedium,
        Destination: m.destination,
      },
      message: { __code: m.code },
    }));
  }
}

/**
 * cognito-local's data store, reduced to the one read their tests make: a user's pending
 * attribute verification code, which the emulator delivers as a VERIFY_ATTRIBUTE message.
 */
class EmulatorDataStoreFactory {
  constructor(private readonly url: () => string) {}

  async create(_ctx: unknown, _userPoolId: string, _defaults: unknown) {
    const url = this.url();
    return {
      async get(_ctx: unknown, key: string[]) {
        if (key.length !== 2 || key[0] !== "Users") {
          throw new Error(`the shim reads only ["Users", name], not ${key}`);
        }
        const sent = messagesOf(url).filter(
          (m) => m.username === key[1] && m.kind === "VERIFY_ATTRIBUTE",
        );
        return { AttributeVerificationCode: sent.at(-1)?.code };
      },
    };
  }
}

/**
 * Triage mode of run.mjs (--aws-strict): adjusts the requests that AWS refuses and
 * cognito-local accepts, so that a run shows what else fails behind them. The same password
 * always becomes the same longer one, so the tests' logic is unchanged. Never used in CI.
 */
const AWS_STRICT = process.env.COGNITO_LOCAL_AWS_STRICT === "1";
const strongPassword = (p: unknown) => (typeof p === "string" ? `${p}-Aa1!` : p);
const strictParams = (operation: string, params: any) => {
  for (const key of ["Password", "TemporaryPassword", "PreviousPassword", "ProposedPassword"]) {
    if (key in params) params[key] = strongPassword(params[key]);
  }
  if (params.AuthParameters?.PASSWORD) {
    params.AuthParameters.PASSWORD = strongPassword(params.AuthParameters.PASSWORD);
  }
  if (params.ChallengeResponses?.NEW_PASSWORD) {
    params.ChallengeResponses.NEW_PASSWORD = strongPassword(params.ChallengeResponses.NEW_PASSWORD);
  }
  if (operation === "createUserPoolClient" && !params.ExplicitAuthFlows) {
    params.ExplicitAuthFlows = [
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_ADMIN_USER_PASSWORD_AUTH",
      "ALLOW_USER_SRP_AUTH",
      "ALLOW_CUSTOM_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
    ];
  }
  if (operation === "createUserPool") {
    const schema = params.Schema ?? [];
    if (!schema.some((a: any) => a.Name === "example")) {
      params.Schema = [...schema, { Name: "example", AttributeDataType: "String", Mutable: true }];
    }
  }
};

/**
 * Triage mode again: cognito-local lists a user's attributes with `sub` last, AWS (and the
 * emulator) first; moving it lets the assertions that compare whole lists look further.
 */
const subLast = (attrs: unknown) => {
  if (!Array.isArray(attrs)) return;
  const i = attrs.findIndex((a) => a?.Name === "sub");
  if (i >= 0) attrs.push(...attrs.splice(i, 1));
};
const strictData = (data: any) => {
  if (!data || typeof data !== "object") return;
  subLast(data.UserAttributes);
  subLast(data.User?.Attributes);
  for (const u of data.Users ?? []) subLast(u?.Attributes);
};

const startEmulator = (): Promise<{ proc: ChildProcess; url: string }> =>
  new Promise((resolve, reject) => {
    if (!EMULATOR) {
      reject(new Error("COGNITO_EMULATOR_BIN is not set (run.mjs sets it)"));
      return;
    }
    // Their SDK client is configured for region "local"; pool ids and ARNs carry the emulator's.
    const proc = spawn(EMULATOR, ["--port", "0", "--region", "local"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.once("error", reject);
    proc.once("exit", (code) =>
      reject(new Error(`the emulator exited (${code}) before listening`)),
    );
    proc.stdout?.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        const url = line.replace(/^listening on /, "").trim();
        proc.removeAllListeners("exit");
        resolve({ proc, url });
      }
    });
  });

export const withCognitoSdk =
  (
    fn: (
      cognito: () => AWS.CognitoIdentityServiceProvider,
      services: {
        readonly dataStoreFactory: () => any;
        readonly messageDelivery: () => any;
      },
    ) => void,
    // Their options pin the server's clock and logger in-process; the emulator keeps its own
    // clock, so a test that compares a timestamp with the fake clock's fails on that alone.
    _options: { logger?: unknown; clock?: unknown } = {},
  ) =>
  () => {
    let emulator: { proc: ChildProcess; url: string } | undefined;
    let cognitoSdk: AWS.CognitoIdentityServiceProvider;
    const url = () => {
      if (!emulator) throw new Error("no emulator is running");
      return emulator.url;
    };

    beforeEach(async () => {
      emulator = await startEmulator();
      cognitoSdk = new AWS.CognitoIdentityServiceProvider({
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        region: "local",
        endpoint: emulator.url,
      });
      if (AWS_STRICT) {
        const sdk: any = cognitoSdk;
        const setup = sdk.setupRequestListeners.bind(sdk);
        sdk.setupRequestListeners = (request: any) => {
          setup(request);
          strictParams(request.operation, request.params);
          request.on("extractData", (response: any) => strictData(response.data));
        };
      }
    });

    fn(() => cognitoSdk, {
      dataStoreFactory: () => new EmulatorDataStoreFactory(url),
      messageDelivery: () => new EmulatorMessages(url),
    });

    afterEach(async () => {
      const proc = emulator?.proc;
      emulator = undefined;
      if (proc && proc.exitCode === null) {
        await new Promise<void>((resolve) => {
          proc.once("exit", () => resolve());
          proc.kill();
        });
      }
    });
  };
