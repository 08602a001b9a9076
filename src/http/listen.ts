import type { Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';

/** A `host:port` to listen on, split. */
export interface ListenAddress {
  /** Undefined: every interface. IPv6 literals come without their brackets. */
  readonly host: string | undefined;
  readonly port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Splits `host:port` the way Go's net.SplitHostPort does: `:9090`,
 * `0.0.0.0:9090`, `localhost:9090`, `[::1]:9090`. Throws an Error whose
 * message says what is wrong.
 */
export function parseListenAddress(address: string): ListenAddress {
  const match = /^(\[([^\]]*)\]|([^:[\]]*)):([0-9]+)$/.exec(address);
  if (match === null) throw new Error('is not host:port');
  const port = Number(match[4]);
  if (!Number.isSafeInteger(port) || port > 65535) throw new Error('has a port outside 0-65535');
  const v6 = match[2];
  if (v6 !== undefined) {
    if (isIP(v6) !== 6) throw new Error(`has "${v6}" in brackets, which is not an IPv6 address`);
    return { host: v6, port };
  }
  const host = match[3] ?? '';
  if (host === '') return { host: undefined, port };
  if (isIP(host) === 0 && !HOSTNAME.test(host))
    throw new Error(`has "${host}", which is neither an IP address nor a host name`);
  return { host, port };
}

/** A server that listens. */
export interface Listening {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops listening and drops open connections, keep-alive ones included. Calling it again returns the same promise. */
  close(): Promise<void>;
}

/**
 * Binds `server` to `address` (`host:port`, as parseListenAddress reads it).
 * Resolves once listening; rejects with a message naming `what` and the
 * address when it cannot be bound. Later server errors are `onError`'s.
 */
export async function listen(
  server: Server,
  address: string,
  what: string,
  onError: (err: Error) => void,
): Promise<Listening> {
  const { host, port } = parseListenAddress(address);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      reject(new Error(`cannot serve ${what} on ${address}: ${err.message}`));
    };
    server.once('error', failed);
    server.listen({ host, port }, () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', onError);
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
