// Starts a (pretend) export that will be ready 2.5 hours after the execution started.
// Time comes from the Context object ($$.Execution.StartTime), not from Date.now():
// in the playground the clock is virtual, and a Wait simply moves it forward.
exports.handler = async ({ report, startedAt }) => {
  const readyAt = new Date(Date.parse(startedAt) + 2.5 * 3600 * 1000).toISOString();
  console.log(`export of ${report} started at ${startedAt}, ready at ${readyAt}`);
  return { jobId: `export-${report}`, readyAt };
};
