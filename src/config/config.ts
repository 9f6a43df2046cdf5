/**
 * Config: everything `wardgate serve` can be told, as one typed, frozen value.
 * Sources, lowest precedence first: DEFAULTS below, the JSON file given with
 * --config (or WARDGATE_CONFIG), WARDGATE_* environment variables, then
 * command-line flags. parse-config.ts validates once and reports every problem
 * together; modules receive only the slice they need.
 */

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A static host override, like curl's --resolve: connect to `address` whenever `host` is asked for. */
export interface ResolveOverride {
  readonly host: string;
  readonly address: string;
}

export interface CategorySetting {
  /** Blocks when matched. Core categories default to true, optional ones to false. */
  readonly enforced?: boolean;
  /** Whether a Group Support Manager may grant an exclusion for it. */
  readonly grantable?: boolean;
}

export interface LimitsConfig {
  /** Time allowed for a client to send a request's headers (slowloris guard). */
  readonly headersTimeoutMs: number;
  /** Idle keep-alive client connection closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Largest request header block accepted, in bytes (larger → 431). */
  readonly maxHeaderBytes: number;
  /** Most header lines accepted in one request. */
  readonly maxHeadersCount: number;
  /** Time allowed to open a TCP connection upstream (→ 504). */
  readonly connectTimeoutMs: number;
  /** Time allowed for upstream to start its response (→ 504). */
  readonly responseTimeoutMs: number;
  /** A body, tunnel or WebSocket with no bytes either way for this long is closed. */
  readonly idleTimeoutMs: number;
  /** On SIGTERM/SIGINT, in-flight requests get this long to finish. */
  readonly shutdownGraceMs: number;
}

/** How much of a request's target the decision log keeps (docs/decision-log.md). */
export type PrivacyMode = 'full' | 'no-query' | 'host';

/** The rotating, hash-chained decision log in `<dataDir>/logs`. */
export interface DecisionLogSettings {
  /** Start a new file before one exceeds this many bytes; 0: no size limit. */
  readonly rotateBytes: number;
  /** One file (at least) per UTC day. */
  readonly rotateDaily: boolean;
  /** Delete files whose lines are all older than this many days; 0 keeps everything. */
  readonly retentionDays: number;
  readonly privacy: PrivacyMode;
  /** Hash-chain every line (tamper evidence, `wardgate logs verify`). */
  readonly chain: boolean;
  /** Gzip rotated files in the background. */
  readonly compress: boolean;
}

export interface LogConfig {
  /** Application log level (decision lines are always written). */
  readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Also write each decision line to stdout. */
  readonly decisionsToStdout: boolean;
  readonly decisionLog: DecisionLogSettings;
}

/** One public blocklist source that `wardgate lists update` re-imports. */
export interface ListSourceSetting {
  /** Folder below `<dataDir>/lists/imported` and the prefix of its list ids (`ut1:pornography/adult`). */
  readonly name: string;
  /** An http(s) URL, or a folder, archive or list file (an absolute path once loaded). */
  readonly source: string;
  /** Default: ut1 for a folder or archive, hosts or plain (by content) for one file. */
  readonly format?: 'ut1' | 'squidguard' | 'hosts' | 'plain';
  /** A category map file (absolute once loaded); default: the shipped categories/ut1-map.json for ut1. */
  readonly map?: string;
  /** For a single hosts or plain list: the council categories its entries block. */
  readonly categories?: readonly string[];
}

export interface ListsConfig {
  /** Re-imported in order by `wardgate lists update`; an empty array means none. */
  readonly sources: readonly ListSourceSetting[];
  /**
   * What `serve` does when no lists can be loaded at start (fail closed either way):
   * `refuse-start` exits with the reason; `block-all` serves, blocking every
   * request, until the lists load (they are watched and reloaded).
   */
  readonly whenUnavailable: 'refuse-start' | 'block-all';
}

/** Exclusion grants: how long an approval lasts. */
export interface GrantsConfig {
  /** Days an approval lasts when the decider gives no expiry (and the member asked for none). */
  readonly defaultExpiryDays: number;
  /** The longest an approval may last, in days. */
  readonly maxExpiryDays: number;
}

/** TLS for the admin server: both paths, or neither (plain HTTP). */
export interface AdminTlsConfig {
  /** PEM certificate chain file (absolute once loaded), or null. */
  readonly cert: string | null;
  /** PEM private key file (absolute once loaded), or null. */
  readonly key: string | null;
}

/** Staff sign-in sessions of the admin web UI. */
export interface AdminSessionConfig {
  /** A session unused for this long ends (minutes). */
  readonly idleMinutes: number;
  /** A session ends this long after sign-in, however busy (hours). */
  readonly absoluteHours: number;
}

/** The member's "Ask for access" pages, answered by the proxy itself (docs/notifications.md). */
export interface SelfServiceConfig {
  /**
   * Reserved host name the proxy serves the request form and the member's
   * `/requests` page on (plain http, through the proxy); null: off, and the
   * block page tells the member to write to their Group Support Manager.
   */
  readonly host: string | null;
}

/** Outgoing mail server for notifications (nodemailer SMTP transport). */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the start (usually port 465); false: plain, upgraded with STARTTLS when the server offers it. */
  readonly secure: boolean;
  /** SMTP AUTH user; null: no authentication. */
  readonly user: string | null;
  /** File holding the SMTP password (absolute once loaded); never the password itself in the config. */
  readonly passwordFile: string | null;
  /** Or the environment variable holding it. */
  readonly passwordEnv: string | null;
  /** Sender address of every notification. */
  readonly from: string;
}

/** Email notifications (src/notify): who hears of new requests and of decisions. */
export interface NotificationsConfig {
  /** null: no emails are sent (the default). */
  readonly smtp: SmtpSettings | null;
  /** Sending attempts per email before it is given up (logged as an error). */
  readonly maxAttempts: number;
  /** Wait before the first retry; doubled for each further one. */
  readonly retryDelayMs: number;
}

export interface Config {
  /** Where the proxy listens. */
  readonly listen: HostPort;
  /** Where the admin server (health, readiness, metrics) listens, or null for none. Never the proxy's port. */
  readonly admin: HostPort | null;
  /** Serve the admin server over HTTPS with this certificate and key (session cookies then get `Secure`). */
  readonly adminTls: AdminTlsConfig;
  readonly adminSession: AdminSessionConfig;
  /** SQLite store and decision logs live here; created on first run. */
  readonly dataDir: string;
  /** Root of the category folders (the shipped `categories/` by default). */
  readonly categoriesDir: string;
  /** Upstream proxy all allowed traffic goes through, or null to connect directly. */
  readonly parentProxy: HostPort | null;
  readonly resolve: readonly ResolveOverride[];
  /** Ports a CONNECT tunnel may open to. */
  readonly connectPorts: readonly number[];
  /** Per-category overrides, keyed by category id. */
  readonly categories: Readonly<Record<string, CategorySetting>>;
  /** Most hosts whose classification facts are kept in the LRU cache. */
  readonly classifyCacheSize: number;
  readonly limits: LimitsConfig;
  readonly log: LogConfig;
  /** Public blocklists imported into `<dataDir>/lists/imported`. */
  readonly lists: ListsConfig;
  readonly grants: GrantsConfig;
  readonly selfService: SelfServiceConfig;
  readonly notifications: NotificationsConfig;
}
