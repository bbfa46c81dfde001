/**
 * Bounds of the strings a record holds. Records are read back from a store anyone with write
 * access can fill, so a reader refuses (skips) one beyond them; the writer clips the free text it
 * got from elsewhere (a target's error, a smoke run's first case error, an approver's comment) to
 * them, so writing never fails on length.
 */
export const RECORD_LIMITS = {
  /** Names: environment, artifact, alias, suite, version tag, actor, login, metric. */
  name: 256,
  /** Free text: a reason, a target's summary, a smoke error, an approver's comment. */
  text: 4000,
  /** URLs and git refs. */
  url: 2048,
  /** Entries of each list (evidence, approvers, targets). */
  items: 100,
} as const;
