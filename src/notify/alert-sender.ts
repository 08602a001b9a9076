import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { RollNotice } from '../reload/roll-messages.ts';
import { alertBody, alertText, structuredAlertBody, type AlertSink } from './alert-message.ts';
import type { HttpPoster } from './http-post.ts';

export interface AlertSenderOptions {
  readonly poster: Pick<HttpPoster, 'post' | 'close'>;
  readonly sink: AlertSink;
  readonly additionalInfo: string | undefined;
  /** The raw sink gets structuredAlertBody's JSON instead of text; other sinks ignore it. */
  readonly structured: boolean;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'countAlert'>;
  /** Alerts waiting beyond this many are dropped (and counted): a dead receiver must not grow memory. */
  readonly capacity?: number;
  /** The clock that dates each alert when its roll is reported. */
  readonly now?: () => Date;
}

interface Waiting {
  readonly notice: RollNotice;
  readonly at: Date;
}

const DEFAULT_CAPACITY = 256;

/**
 * Sends an alert for each roll, one at a time, off the reconcile path:
 * `notify` only queues and returns, so a slow or failing receiver never
 * delays a roll. A failed send is logged and counted, not retried: the roll
 * it reports already happened and its Event is on the workload.
 */
export class AlertSender {
  readonly #options: AlertSenderOptions;
  readonly #capacity: number;
  readonly #now: () => Date;
  readonly #waiting: Waiting[] = [];
  #sending: Promise<void> | undefined;

  constructor(options: AlertSenderOptions) {
    this.#options = options;
    this.#capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.#now = options.now ?? (() => new Date());
  }

  notify(notice: RollNotice): void {
    if (this.#waiting.length >= this.#capacity) {
      this.#options.metrics.countAlert('dropped');
      this.#options.logger.warn(
        { workload: workloadId(notice) },
        'alert dropped: too many alerts waiting for the receiver',
      );
      return;
    }
    this.#waiting.push({ notice, at: this.#now() });
    this.#sending ??= this.#sendAll().finally(() => {
      this.#sending = undefined;
    });
  }

  /** Resolves once every queued alert was sent or failed, or after `timeoutMs`, whichever is first. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#sending === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.#sending, timeout]);
    clearTimeout(timer);
  }

  /** Drains as `drain` does, then lets the receiver's connections go. */
  async close(timeoutMs: number): Promise<void> {
    await this.drain(timeoutMs);
    await this.#options.poster.close();
  }

  async #sendAll(): Promise<void> {
    for (let next = this.#waiting.shift(); next !== undefined; next = this.#waiting.shift()) {
      const { notice, at } = next;
      const { poster, sink, additionalInfo, structured, logger, metrics } = this.#options;
      try {
        const raw = sink === 'raw' || sink === 'webhook';
        await poster.post(
          raw && structured
            ? structuredAlertBody(notice, additionalInfo, at)
            : alertBody(sink, alertText(notice, additionalInfo)),
        );
        metrics.countAlert('sent');
      } catch (err) {
        metrics.countAlert('failed');
        logger.error(
          { workload: workloadId(notice), sink, err: err instanceof Error ? err.message : String(err) },
          'alert not sent',
        );
      }
    }
  }
}

function workloadId(notice: RollNotice): string {
  const { kind, namespace, name } = notice.workload;
  return `${kind}/${namespace}/${name}`;
}
