// A token's state as the lists show it: revoked, locked (fail counter), disabled, else its
// rollout state ("enrolled" when it has none). The server's dashboard counts the same way.
export function tokenState(t) {
  if (t.revoked) return 'revoked';
  if (t.failcounter_exceeded) return 'locked';
  if (!t.active) return 'disabled';
  return t.rollout_state || 'enrolled';
}
