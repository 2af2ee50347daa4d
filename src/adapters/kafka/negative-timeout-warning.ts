// Hides the one warning kafkajs makes Node print: a negative timer delay, harmless, that kafkajs sets itself.

let hidden = false;

/**
 * kafkajs (src/network/requestQueue/index.js, scheduleCheckPendingRequests) arms
 * setTimeout(throttledUntil - Date.now()) after every response, though throttledUntil is -1 or
 * past unless the broker throttles, and Node 24 warns on stderr. Filtered here rather than with
 * --disable-warning, which `user-provisioner` or dist/ would not pass. Other warnings still print.
 */
export function hideNegativeTimeoutWarning(): void {
  if (hidden) return;
  hidden = true;
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const print of printers) print(warning);
  });
}
