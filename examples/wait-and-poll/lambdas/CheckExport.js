// Reports the export's status at the time the state was entered ($$.State.EnteredTime).
exports.handler = async ({ jobId, readyAt, now }) => {
  const done = Date.parse(now) >= Date.parse(readyAt);
  const minutesLeft = Math.max(0, Math.round((Date.parse(readyAt) - Date.parse(now)) / 60000));
  console.log(`${now}: ${jobId} is ${done ? "done" : `still running, ${minutesLeft} min to go`}`);
  return done
    ? { status: "DONE", url: `https://reports.example.com/${jobId}.csv` }
    : { status: "RUNNING", minutesLeft };
};
