// Times as the WebUI shows them: in the browser's time zone, the one its datetime-local inputs
// use too, so what a page shows and what its filters take agree.
const two = (n) => String(n).padStart(2, '0');

// Unix seconds as "YYYY-MM-DD HH:MM:SS" in the browser's time zone.
export function localTime(seconds) {
  const d = new Date(seconds * 1000);
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

// The browser's time zone for a hint, e.g. "Europe/Berlin, now UTC+02:00".
export function timeZone() {
  const minutes = -new Date().getTimezoneOffset();
  const offset = `UTC${minutes < 0 ? '-' : '+'}${two(Math.floor(Math.abs(minutes) / 60))}:${two(Math.abs(minutes) % 60)}`;
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return name ? `${name}, now ${offset}` : offset;
}
