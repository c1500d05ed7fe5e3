// A token's state as the lists show it: revoked, locked (fail counter), disabled, else its
// rollout state ("enrolled" when it has none). The server's dashboard counts the same way.
import { localTime } from './time.js';

// When a token's certificate expires ("YYYY-MM-DD", local), or "" for one without.
export function expiryDate(t) {
  return t.info?.not_after ? localTime(Number(t.info.not_after)).slice(0, 10) : '';
}

export function tokenState(t) {
  if (t.revoked) return 'revoked';
  if (t.failcounter_exceeded) return 'locked';
  if (!t.active) return 'disabled';
  return t.rollout_state || 'enrolled';
}
