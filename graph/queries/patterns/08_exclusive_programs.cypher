// ---
// id: exclusive_programs
// title_zh: 同时享受互斥救助项目
// title_en: Mutually exclusive programmes received together
// severity: high
// category: false_claims
// description: >
//   One person receives two programmes that exclude each other (programs.exclusive_with)
//   for the same month; for students, two exclusive aid policies in the same school year.
// params: {}
// explanation: "{person}在{when}同时享受互斥的{program_a}和{program_b}{total:and_yuan}。"
// ---
MATCH (pa:Program)-[:EXCLUDES]-(pb:Program)
WITH DISTINCT pa, pb WHERE pa.program_code < pb.program_code
// Persons paid under both programmes first, each once: pairing every month of one with
// every month of the other for all recipients multiplies rows by months squared.
MATCH (r:Person)-[:RECEIVED]->(:Disbursement)-[:UNDER]->(pa)
WITH DISTINCT r, pa, pb
MATCH (r)-[:RECEIVED]->(:Disbursement)-[:UNDER]->(pb)
WITH DISTINCT r, pa, pb
MATCH (r)-[:RECEIVED]->(da:Disbursement)-[:UNDER]->(pa)
MATCH (r)-[:RECEIVED]->(db:Disbursement)-[:UNDER]->(pb)
WITH r, pa, pb, da, db WHERE da.period = db.period
MATCH p1 = (r)-[:RECEIVED]->(da)-[:UNDER]->(pa)
MATCH p2 = (r)-[:RECEIVED]->(db)-[:UNDER]->(pb)
MATCH px = (pa)-[:EXCLUDES]-(pb)
WITH r, pa, pb, collect(DISTINCT p1) + collect(DISTINCT p2) + collect(DISTINCT px) AS ev,
     collect(DISTINCT da) + collect(DISTINCT db) AS ds, min(da.period) AS first,
     max(da.period) AS last, count(DISTINCT da.period) AS months
RETURN [r.id_number, pa.program_code, pb.program_code] + [d IN ds | d.record_id] AS subjects,
       ev AS evidence,
       {person: r.name, program_a: pa.name, program_b: pb.name,
        when: first + '至' + last + '期间（' + toString(months) + '个月）',
        total: reduce(t = 0, d IN ds | t + d.amount)} AS facts
UNION ALL
MATCH (pa:Program)-[:EXCLUDES]-(pb:Program)
WITH DISTINCT pa, pb WHERE pa.program_code < pb.program_code
MATCH p1 = (s:Person)-[:AIDED]->(a:StudentAid)-[:UNDER]->(pa)
MATCH p2 = (a)-[:UNDER]->(pb)
MATCH px = (pa)-[:EXCLUDES]-(pb)
RETURN [s.id_number, a.aid_id, pa.program_code, pb.program_code] AS subjects,
       [p1, p2, px] AS evidence,
       {person: s.name, program_a: pa.name, program_b: pb.name,
        when: a.year + '学年', total: null} AS facts
