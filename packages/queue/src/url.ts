/**
 * @file `--queue` addresses: `redis://host:port/<queue name>`, with optional credentials and
 * `rediss://` for TLS (a managed Redis). The path names the queue, not a Redis database
 * number: several runs can share one Redis under different names.
 */
import { QueueUrlError } from './errors.js';

/** Connection settings, in the shape both ioredis and BullMQ take. */
export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Present for `rediss://`: connect over TLS. */
  tls?: Record<string, never>;
  /** null: commands wait for a reconnect instead of failing (BullMQ workers need this). */
  maxRetriesPerRequest: null;
}

/** A parsed `--queue` address. */
export interface QueueAddress {
  /** The BullMQ queue name. */
  name: string;
  /** ioredis options (`maxRetriesPerRequest: null`, as BullMQ workers need). */
  connection: RedisConnection;
  /** The address without its password, for messages. */
  display: string;
}

/**
 * Parses a `--queue` address.
 * @throws {QueueUrlError} naming what is wrong.
 * @example
 * ```ts
 * parseQueueUrl('redis://127.0.0.1:6379/mnist').name; // 'mnist'
 * ```
 */
export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QueueUrlError(`--queue ${JSON.stringify(text)} is not a URL; give redis://host:port/<queue name>.`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueUrlError(`--queue ${JSON.stringify(text)}: the scheme is ${url.protocol.slice(0, -1)}; use redis:// (or rediss:// for TLS).`);
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw new QueueUrlError(`--queue ${JSON.stringify(text)}: the path must name the queue (letters, digits, '.', '_', '-'), e.g. redis://127.0.0.1:6379/mnist.`);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const connection: RedisConnection = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    maxRetriesPerRequest: null,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { name, connection, display: `${url.protocol}//${url.hostname}:${port}/${name}` };
}
