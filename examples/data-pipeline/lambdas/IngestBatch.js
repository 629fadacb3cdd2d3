// Parses the batch's CSV rows into records. A row that does not parse is skipped;
// when most rows are broken the whole batch is refused with a named error,
// which the Task's Catch sends to the quarantine path. Break some rows in the input to see it.
exports.handler = async ({ batchId, rows }) => {
  const [header, ...lines] = rows;
  const fields = header.split(",");
  const records = [];
  let skipped = 0;
  for (const line of lines) {
    const cells = line.split(",");
    const record = Object.fromEntries(fields.map((f, i) => [f, cells[i]]));
    if (cells.length !== fields.length || !(Number(record.qty) > 0) || isNaN(Number(record.price))) {
      console.log(`skipping row: ${line}`);
      skipped++;
      continue;
    }
    records.push({ ...record, qty: Number(record.qty), price: Number(record.price) });
  }
  console.log(`${batchId}: ${records.length} record(s), ${skipped} skipped`);
  if (skipped > records.length) {
    const e = new Error(`${skipped} of ${lines.length} rows are malformed`);
    e.name = "Batch.Malformed";
    throw e;
  }
  return { count: records.length, skipped, records };
};
