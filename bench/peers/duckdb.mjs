// duckdb.mjs - the DuckDB peer of `make bench` (bench/README.md), through
// @duckdb/node-api pinned in bench/package.json (scripts/npm-ci.sh bench).
//
//   node duckdb.mjs csv FILE.csv       load the CSV into a table, then accuracy at
//                                      0.5 and the selection rate per gender and per
//                                      age_group (two group-bys)
//   node duckdb.mjs parquet FILE       the same three queries straight on the file
//   node duckdb.mjs to-parquet CSV OUT writes the CSV's rows as snappy Parquet
//                                      (label INTEGER, score DOUBLE, gender and
//                                      age_group VARCHAR, an empty gender NULL)
//
// csv and parquet print one JSON line: {"rows", "accuracy", "groups",
// "query_ms"} (query_ms: the time inside the process, without Node's and
// DuckDB's start-up; the benchmark times the whole process).
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const [cmd, file, out] = process.argv.slice(2);
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRows();
const csv = (f) => `read_csv(${quote(f)}, header = true, columns = {'label': 'INTEGER',
    'score': 'DOUBLE', 'gender': 'VARCHAR', 'age_group': 'VARCHAR'})`;

async function queries(from) {
    const acc = await rows(`SELECT count(*), avg(CASE WHEN (score > 0.5)::INTEGER = label
        THEN 1.0 ELSE 0.0 END) FROM ${from}`);
    const byGender = await rows(`SELECT gender, avg((score > 0.5)::INTEGER) FROM ${from} GROUP BY gender`);
    const byAge = await rows(`SELECT age_group, avg((score > 0.5)::INTEGER) FROM ${from} GROUP BY age_group`);
    return { rows: Number(acc[0][0]), accuracy: Number(acc[0][1]), groups: byGender.length + byAge.length };
}

const t0 = process.hrtime.bigint();
if (cmd === 'csv') {
    await con.run(`CREATE TABLE t AS SELECT * FROM ${csv(file)}`);
    const r = await queries('t');
    console.log(JSON.stringify({ ...r, query_ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
} else if (cmd === 'parquet') {
    const r = await queries(`read_parquet(${quote(file)})`);
    console.log(JSON.stringify({ ...r, query_ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
} else if (cmd === 'to-parquet') {
    await con.run(`COPY (SELECT * FROM ${csv(file)}) TO ${quote(out)} (FORMAT parquet, COMPRESSION snappy)`);
} else {
    console.error('usage: node duckdb.mjs csv|parquet FILE | to-parquet CSV OUT');
    process.exit(2);
}
