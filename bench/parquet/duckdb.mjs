// duckdb.mjs - the DuckDB side of the Parquet benchmark (bench/README.md).
//
//   node duckdb.mjs gen FILE ROWS     writes the benchmark table as snappy Parquet
//   node duckdb.mjs query FILE REPS   times DuckDB computing accuracy and the per-group
//                                     selection rates from FILE, REPS times; prints one
//                                     JSON line {"ms": [...], "accuracy": ..., "groups": N}
//   node duckdb.mjs size FILE COLS    decoded size of columns COLS (comma list) as
//                                     modelgate holds them: 8 bytes per int/float row,
//                                     4 per string row (dictionary code) plus the
//                                     distinct strings, a validity bitmap if nullable
//
// The npm packages are those pinned in tests/fixtures (npm ci there first).
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '..', '..', 'tests', 'fixtures');
const require = createRequire(path.join(fixtures, 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const [cmd, file, arg] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const one = async (sql) => (await con.runAndReadAll(sql)).getRows();

if (cmd === 'gen') {
    const rows = Number(arg);
    // Deterministic: hash-based pseudo-random values from the row number.
    await con.run(`COPY (
        SELECT CASE WHEN u1 < 0.1 + 0.8 * u2 THEN 1 ELSE 0 END AS label, u2 AS score,
               CASE WHEN u3 < 0.02 THEN NULL WHEN u3 < 0.51 THEN 'female' WHEN u3 < 0.99 THEN 'male'
                    ELSE 'nonbinary' END AS gender,
               ['18-25', '26-40', '41-60', '60+'][1 + (hash(i * 7 + 3) % 4)::INTEGER] AS age_group
        FROM (SELECT i, (hash(i) % 1000003) / 1000003.0 AS u1, (hash(i + 1e12) % 999983) / 999983.0 AS u2,
                     (hash(i * 3 + 17) % 1000033) / 1000033.0 AS u3 FROM range(${rows}) r(i)))
        TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    console.log(JSON.stringify({ rows: Number((await one(`SELECT count(*) FROM '${file}'`))[0][0]) }));
} else if (cmd === 'query') {
    const reps = Number(arg);
    const ms = [];
    let accuracy, groups;
    for (let k = 0; k < reps; k++) {
        const t0 = process.hrtime.bigint();
        const acc = await one(`SELECT avg(CASE WHEN (score > 0.5)::INTEGER = label THEN 1.0 ELSE 0.0 END)
            FROM read_parquet('${file}')`);
        const rates = await one(`SELECT gender, age_group, count(*) AS n, avg((score > 0.5)::INTEGER) AS rate
            FROM read_parquet('${file}') GROUP BY gender, age_group`);
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        accuracy = Number(acc[0][0]);
        groups = rates.length;
    }
    console.log(JSON.stringify({ ms, accuracy, groups }));
} else if (cmd === 'size') {
    let bytes = 0;
    const n = Number((await one(`SELECT count(*) FROM '${file}'`))[0][0]);
    const types = new Map((await one(`DESCRIBE SELECT * FROM '${file}'`)).map((r) => [r[0], r[1]]));
    for (const c of arg.split(',')) {
        const t = types.get(c);
        const nulls = Number((await one(`SELECT count(*) - count("${c}") FROM '${file}'`))[0][0]);
        if (t === 'VARCHAR') {
            const dict = Number((await one(`SELECT coalesce(sum(strlen(v) + 1 + 8), 0) FROM (SELECT DISTINCT "${c}" AS v FROM '${file}' WHERE v IS NOT NULL)`))[0][0]);
            bytes += 4 * n + dict;
        } else {
            bytes += (t === 'BOOLEAN' ? 1 : 8) * n;
        }
        if (nulls > 0) bytes += Math.ceil(n / 8);
    }
    console.log(JSON.stringify({ columns: arg, bytes }));
} else {
    console.error('usage: node duckdb.mjs gen|query|size FILE ARG');
    process.exit(2);
}
