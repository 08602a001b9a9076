import type { RollNotice } from '../reload/roll-messages.ts';
import { HttpPoster } from './http-post.ts';

/** What --webhook-url receives for each roll it stands in for. */
export interface WebhookBody {
  readonly source: 'mini-reloader';
  readonly workload: RollNotice['workload'];
  readonly changed: RollNotice['changed'];
  readonly follows: RollNotice['follows'];
  readonly configHash: string;
  readonly observedAt: string;
}

export function webhookBody(notice: RollNotice, now: Date): WebhookBody {
  return {
    source: 'mini-reloader',
    workload: notice.workload,
    changed: notice.changed,
    follows: notice.follows,
    configHash: notice.hash,
    observedAt: now.toISOString(),
  };
}

/**
 * --webhook-url: each roll becomes one POST, awaited by the reconciler, so a
 * receiver that is down makes the workload retry with backoff instead of
 * losing the notice.
 */
export function webhookNotifier(
  poster: HttpPoster,
  now: () => Date = () => new Date(),
): (notice: RollNotice) => Promise<void> {
  return (notice) => poster.post({ contentType: 'application/json', text: JSON.stringify(webhookBody(notice, now())) });
}
