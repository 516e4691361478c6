// Opens a DuckDB file read-only with the DuckDB Node client (@duckdb/node-api) and prints, as JSON, the
// client's DuckDB version and the rows of one query. Used by tests/python/test_serving_clients.py:
//     NODE_PATH=.clients/node/node_modules node read_warehouse.cjs PATH "select ..."
const { DuckDBInstance } = require("@duckdb/node-api");

async function main() {
  const [path, sql] = process.argv.slice(2);
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  const version = (await connection.runAndReadAll("select version()")).getRowsJson()[0][0];
  const rows = (await connection.runAndReadAll(sql)).getRowsJson();
  connection.closeSync();
  instance.closeSync();
  console.log(JSON.stringify({ version, rows }));
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
