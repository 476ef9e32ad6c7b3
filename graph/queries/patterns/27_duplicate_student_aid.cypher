// ---
// id: duplicate_student_aid
// title_zh: 学生重复享受资助
// title_en: Student aided twice for one policy in one school year
// severity: high
// category: false_claims
// description: >
//   One student receives one policy twice in one school year: on two aid records, or
//   on one record that two schools report (the roster names the student at two schools
//   that year). School years starting after `as_of` are not judged. The evidence holds
//   the aid records, the policy and the schools.
// params: {}
// explanation: "{student}{year}学年在{schools:list}重复享受「{policy}」（{records}条资助记录{amount:and_yuan}）。"
// ---
MATCH (s:Person)-[:AIDED]->(a:StudentAid)
WHERE a.year IS NOT NULL AND substring(a.year, 0, 4) <= substring($as_of, 0, 4)
WITH s, a.year AS year, collect(a) AS aids
// Two records in one year, or one record with two schools: only those can be duplicates.
UNWIND aids AS a
OPTIONAL MATCH (a)-[:AT_SCHOOL]->(sc:School)
WITH s, year, aids, a, count(sc) AS nschools
WITH s, year, aids, max(nschools) AS most
WHERE size(aids) > 1 OR most > 1
UNWIND aids AS a
MATCH pa = (s)-[:AIDED]->(a)-[:UNDER]->(g:Program)
OPTIONAL MATCH pt = (a)-[:AT_SCHOOL]->(sc:School)
WITH s, year, g, collect(DISTINCT a) AS recs, collect(DISTINCT pa) AS pas, collect(DISTINCT pt) AS pts,
     collect(DISTINCT sc.name) AS schools
WHERE size(recs) > 1 OR size(schools) > 1
UNWIND schools AS school
WITH s, year, g, recs, pas, pts, school ORDER BY school
WITH s, year, g, recs, pas, pts, collect(school) AS schools
RETURN [s.id_number, g.program_code] AS subjects,
       pas + pts AS evidence,
       {student: s.name, year: year, schools: schools, policy: coalesce(g.name, g.program_code),
        records: size(recs),
        amount: reduce(t = 0, x IN recs | t + coalesce(x.amount, 0))} AS facts
