/**
 * A fake Anthropic on 127.0.0.1 (port 0) that checks what the real one
 * would: the PKCE verifier against the challenge, client_id, redirect_uri,
 * grant types, single-use codes, and refresh tokens that rotate and die once
 * used. It also serves /v1/models and the create_api_key endpoint.
 */

import { serveLoopback } from "./loopback.ts";

export const CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
export const REDIRECT_URI = "https://platform.claude.com/oauth/code/callback";
/** Where the fake serves the token endpoint. */
export const TOKEN_PATH = "/v1/oauth/token";
/** Where the fake also serves it, as the alternate endpoint (api.anthropic.com's, for real). */
export const ALT_TOKEN_PATH = "/alt/v1/oauth/token";

/** A canned answer for the next token request(s). */
export interface ScriptedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait before answering (to exceed a client timeout). */
  delayMs?: number;
  /**
   * Never answer: hold the request until the client gives up (closes the
   * connection) or the fake closes. A client's time limit is then what ends
   * it, however fast or slow the machine is.
   */
  stall?: boolean;
}

/** A request as the fake saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface PendingCode {
  challenge: string;
  redirectUri: string;
  clientId: string;
  state: string;
  scope: string;
  console: boolean;
  used: boolean;
}

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const random = () => crypto.randomUUID().replaceAll("-", "");

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

/** The fake server. */
export class FakeAnthropic {
  /** Every request seen, in order. */
  readonly requests: SeenRequest[] = [];
  /** Answers for the next token requests, used before normal handling. */
  readonly script: ScriptedResponse[] = [];
  /** Answers for the next requests to the alternate token endpoint. */
  readonly altScript: ScriptedResponse[] = [];
  /** Answer a refresh without refresh_token, keeping the old one alive (a non-rotating server). */
  keepRefreshToken = false;
  /**
   * Grants to carry out whose answer is then lost (replaced by a 502): the
   * refresh token rotates on the server, the client never learns the new one.
   */
  loseAnswers = 0;
  /** Lifetime of issued access tokens, in seconds. */
  expiresIn = 28_800;
  /** Delay before answering a refresh (widens race windows in stampede tests). */
  refreshDelayMs = 0;
  /** Runs when a refresh request arrives, before it is answered (another writer strikes then). */
  onRefresh: (() => void | Promise<void>) | null = null;
  /**
   * When set, refresh answers wait until it settles: a race test holds the
   * refresh open until the other process has done its part (an event, not a delay).
   */
  refreshGate: Promise<void> | null = null;
  /** Account data returned with tokens. */
  account = { email: "dev@example.com", organization: "Example Org" };
  /** Every token pair issued, in order (tests plant them as secrets). */
  readonly issued: { access: string; refresh: string }[] = [];
  /** API keys minted by create_api_key, in order. */
  readonly minted: string[] = [];
  /** Answers for the next /v1/models requests, used before normal handling. */
  readonly modelsScript: ScriptedResponse[] = [];

  private codes = new Map<string, PendingCode>();
  private liveRefresh = new Set<string>();
  private deadRefresh = new Set<string>();
  private access = new Map<string, { console: boolean; revoked: boolean }>();
  private apiKeys = new Set<string>();
  private server!: Deno.HttpServer<Deno.NetAddr>;

  /** Base URL, e.g. http://127.0.0.1:43210. */
  url = "";

  /** Start on a free loopback port. */
  static async start(): Promise<FakeAnthropic> {
    const fake = new FakeAnthropic();
    ({ server: fake.server, url: fake.url } = await serveLoopback((request) =>
      fake.handle(request)
    ));
    return fake;
  }

  /** Ends stalled requests when the fake closes. */
  private closing = new AbortController();

  /** Stop the server (stalled requests end first). */
  async close(): Promise<void> {
    this.closing.abort();
    await this.server.shutdown();
  }

  /** Environment that points the CLI at this fake (fast retries for tests). */
  env(): Record<string, string> {
    return {
      ANTHROPIC_AUTH_URL: `${this.url}/oauth/authorize`,
      ANTHROPIC_CONSOLE_AUTH_URL: `${this.url}/console/oauth/authorize`,
      ANTHROPIC_TOKEN_URL: `${this.url}/v1/oauth/token`,
      ANTHROPIC_BASE_URL: this.url,
      CLAUDE_CODE_AUTH_RETRY_BASE_MS: "20",
    };
  }

  /** The environment variable that adds the alternate token endpoint (off by default in tests). */
  altEnv(): Record<string, string> {
    return { CLAUDE_CODE_AUTH_ALT_TOKEN_URL: `${this.url}${ALT_TOKEN_PATH}` };
  }

  /** Requests to either token endpoint. */
  tokenRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.path === TOKEN_PATH || r.path === ALT_TOKEN_PATH);
  }

  /** Refresh-grant requests. */
  refreshRequests(): SeenRequest[] {
    return this.tokenRequests().filter((r) => r.body.includes('"refresh_token"'));
  }

  /** Issue a live token pair without a browser (to seed a stored entry). */
  issueTokens(options: { console?: boolean } = {}): { access: string; refresh: string } {
    const access = `sk-ant-oat01-fake-${random()}`;
    const refresh = `sk-ant-ort01-fake-${random()}`;
    this.access.set(access, { console: options.console ?? false, revoked: false });
    this.liveRefresh.add(refresh);
    this.issued.push({ access, refresh });
    return { access, refresh };
  }

  /**
   * Spend `refresh` as another program would (an OAuth plugin, another copy
   * of the credential): one refresh grant at the token endpoint; returns the
   * new pair.
   */
  async spendElsewhere(refresh: string): Promise<{ access: string; refresh: string }> {
    const answer = await fetch(`${this.url}${TOKEN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: refresh,
        client_id: CLIENT_ID,
      }),
    });
    const tokens = await answer.json();
    if (answer.status !== 200) throw new Error(`spending failed: ${JSON.stringify(tokens)}`);
    return { access: tokens.access_token, refresh: tokens.refresh_token };
  }

  /** Make the API refuse `access` with 401 from now on. */
  revoke(access: string): void {
    const record = this.access.get(access);
    if (record) record.revoked = true;
  }

  /** Register an API key the API accepts. */
  acceptApiKey(key: string): void {
    this.apiKeys.add(key);
  }

  /**
   * What the user's browser visit does: validate the authorize URL and
   * return what the hosted page shows, `code#state`.
   */
  async visit(authorizeUrl: string): Promise<string> {
    const response = await fetch(authorizeUrl);
    const text = await response.text();
    if (!response.ok) throw new Error(`authorize failed: ${response.status} ${text}`);
    return text;
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = request.method === "GET" ? "" : await request.text();
    this.requests.push({
      method: request.method,
      path: url.pathname,
      headers: Object.fromEntries(request.headers),
      body,
    });
    switch (url.pathname) {
      case "/oauth/authorize":
      case "/console/oauth/authorize":
        return this.authorize(url, url.pathname.startsWith("/console"));
      case TOKEN_PATH: {
        const answer = await this.token(request, body, this.script);
        if (this.loseAnswers === 0 || answer.status !== 200) return answer;
        this.loseAnswers--;
        return new Response("<html><body>502 Bad Gateway</body></html>", {
          status: 502,
          headers: { "content-type": "text/html" },
        });
      }
      case ALT_TOKEN_PATH:
        return await this.token(request, body, this.altScript);
      case "/v1/models": {
        const scripted = this.modelsScript.shift();
        if (scripted) return await this.scripted(scripted, request);
        return this.models(request);
      }
      case "/api/oauth/claude_cli/create_api_key":
        return this.createKey(request);
      default:
        return new Response("<html><body>Not Found</body></html>", {
          status: 404,
          headers: { "content-type": "text/html" },
        });
    }
  }

  private authorize(url: URL, console: boolean): Response {
    const p = url.searchParams;
    const problems: string[] = [];
    if (p.get("code") !== "true") problems.push("code=true");
    if (p.get("client_id") !== CLIENT_ID) problems.push("client_id");
    if (p.get("response_type") !== "code") problems.push("response_type");
    if (!p.get("redirect_uri")) problems.push("redirect_uri");
    if (!p.get("scope")) problems.push("scope");
    if (!/^[A-Za-z0-9_-]{43}$/.test(p.get("code_challenge") ?? "")) problems.push("code_challenge");
    if (p.get("code_challenge_method") !== "S256") problems.push("code_challenge_method");
    if (!p.get("state")) problems.push("state");
    if (problems.length) {
      return new Response(`bad authorize request: ${problems.join(", ")}`, { status: 400 });
    }
    const code = `code-${random()}`;
    this.codes.set(code, {
      challenge: p.get("code_challenge")!,
      redirectUri: p.get("redirect_uri")!,
      clientId: p.get("client_id")!,
      state: p.get("state")!,
      scope: p.get("scope")!,
      console,
      used: false,
    });
    return new Response(`${code}#${p.get("state")}`);
  }

  private async scripted(scripted: ScriptedResponse, request: Request): Promise<Response> {
    if (scripted.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
    if (scripted.stall) {
      const signals = [request.signal, this.closing.signal];
      await new Promise<void>((resolve) => {
        for (const signal of signals) {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        }
      });
    }
    // A null-body status (204, 304) must not be given a body.
    const body = [101, 204, 205, 304].includes(scripted.status) ? null : scripted.body ?? "";
    return new Response(body, { status: scripted.status, headers: scripted.headers });
  }

  private tokenSet(refreshTokenUsed: string | null, console: boolean): Response {
    const { access, refresh } = this.issueTokens({ console });
    const kept = refreshTokenUsed !== null && this.keepRefreshToken;
    if (kept) {
      this.liveRefresh.delete(refresh);
      this.issued[this.issued.length - 1].refresh = refreshTokenUsed;
    } else if (refreshTokenUsed) {
      this.liveRefresh.delete(refreshTokenUsed);
      this.deadRefresh.add(refreshTokenUsed);
    }
    return json(200, {
      token_type: "Bearer",
      access_token: access,
      ...(kept ? {} : { refresh_token: refresh }),
      expires_in: this.expiresIn,
      scope: "user:inference user:profile",
      account: { uuid: "acc-1", email_address: this.account.email },
      organization: { uuid: "org-1", name: this.account.organization },
    });
  }

  private async token(
    request: Request,
    body: string,
    script: ScriptedResponse[],
  ): Promise<Response> {
    const scripted = script.shift();
    if (scripted) return await this.scripted(scripted, request);
    if (!(request.headers.get("content-type") ?? "").includes("application/json")) {
      return json(400, { error: "invalid_request", error_description: "expected JSON" });
    }
    let data: Record<string, string>;
    try {
      data = JSON.parse(body);
    } catch {
      return json(400, { error: "invalid_request", error_description: "bad JSON" });
    }
    if (data.client_id !== CLIENT_ID) return json(401, { error: "invalid_client" });
    if (data.grant_type === "authorization_code") {
      const pending = this.codes.get(data.code);
      if (!pending || pending.used) {
        return json(400, { error: "invalid_grant", error_description: "Invalid or used code" });
      }
      pending.used = true;
      if (data.redirect_uri !== pending.redirectUri) {
        return json(400, { error: "invalid_grant", error_description: "redirect_uri mismatch" });
      }
      if (data.state !== pending.state) {
        return json(400, { error: "invalid_grant", error_description: "state mismatch" });
      }
      if (!data.code_verifier || await s256(data.code_verifier) !== pending.challenge) {
        return json(400, {
          error: "invalid_grant",
          error_description: "code_verifier does not match",
        });
      }
      return this.tokenSet(null, pending.console);
    }
    if (data.grant_type === "refresh_token") {
      if (this.refreshDelayMs) await new Promise((r) => setTimeout(r, this.refreshDelayMs));
      await this.onRefresh?.();
      if (this.refreshGate) await this.refreshGate;
      if (!this.liveRefresh.has(data.refresh_token)) {
        return json(400, {
          error: "invalid_grant",
          error_description: "Refresh token not found or invalid",
        });
      }
      return this.tokenSet(data.refresh_token, false);
    }
    return json(400, { error: "unsupported_grant_type" });
  }

  private models(request: Request): Response {
    const key = request.headers.get("x-api-key");
    const auth = request.headers.get("authorization") ?? "";
    if (key) {
      return this.apiKeys.has(key) ? json(200, { data: [{ id: "claude-haiku-4-5" }] }) : json(401, {
        type: "error",
        error: { type: "authentication_error", message: "invalid x-api-key" },
      });
    }
    const token = auth.replace(/^Bearer /, "");
    const record = this.access.get(token);
    if (!record || record.revoked) {
      return json(401, {
        type: "error",
        error: { type: "authentication_error", message: "Invalid bearer token" },
      });
    }
    if (request.headers.get("anthropic-beta") !== "oauth-2025-04-20") {
      return json(401, {
        type: "error",
        error: { type: "authentication_error", message: "OAuth requires beta header" },
      });
    }
    return json(200, { data: [{ id: "claude-haiku-4-5" }] });
  }

  private createKey(request: Request): Response {
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    const record = this.access.get(token);
    if (!record || record.revoked) {
      return json(401, { error: { type: "authentication_error", message: "bad token" } });
    }
    if (!record.console) {
      return json(403, { error: { type: "permission_error", message: "needs a Console token" } });
    }
    const key = `sk-ant-api03-minted-${random()}`;
    this.apiKeys.add(key);
    this.minted.push(key);
    return json(200, { raw_key: key });
  }
}
