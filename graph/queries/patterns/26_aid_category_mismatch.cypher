// ---
// id: aid_category_mismatch
// title_zh: 学生资助类别与家庭状况不符
// title_en: Student aid category does not match the household
// severity: high
// category: false_claims
// description: >
//   A student aided in a school year under a category the household register does not
//   bear out for that year (the calendar year the school year starts): 农村低保家庭学生
//   whose household received no subsistence that year; 农村特困救助供养学生 whose
//   household received no extreme-poverty support that year; 建档立卡经济困难学生 whose
//   household is not in the registered-poor register that year; 家庭经济困难残疾学生
//   without a disability certificate valid that year. School years starting after
//   `as_of` are not judged. The evidence holds the aid record, its policies and school,
//   and the student's household.
// params: {}
// explanation: "{student}（{school}{grade}）{year}学年按「{category}」享受{policies:list}{amount:and_yuan}，但{why}。"
// ---
MATCH pa = (s:Person)-[:AIDED]->(a:StudentAid)
WHERE a.category IN ['农村低保家庭学生', '农村特困救助供养学生', '建档立卡经济困难学生', '家庭经济困难残疾学生']
  AND a.year IS NOT NULL AND substring(a.year, 0, 4) <= substring($as_of, 0, 4)
WITH s, pa, a, substring(a.year, 0, 4) AS y
MATCH ph = (s)-[:MEMBER_OF]->(h:Household)
// What the household received that year, for the two categories that rest on it.
OPTIONAL MATCH (h)<-[:MEMBER_OF]-(:Person)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(g:Program)
WHERE ((a.category = '农村低保家庭学生' AND g.kind = 'subsistence')
       OR (a.category = '农村特困救助供养学生' AND g.kind = 'extreme_poverty'))
  AND d.period STARTS WITH y
WITH s, pa, a, y, ph, h, count(d) AS paid
OPTIONAL MATCH (h)-[:REGISTERED_POOR]->(r:PovertyRecord)
WHERE a.category = '建档立卡经济困难学生' AND r.year = y
WITH s, pa, a, y, ph, h, paid, count(r) AS registered
OPTIONAL MATCH (s)-[:CERTIFIED]->(c:DisabilityCertificate)
WHERE a.category = '家庭经济困难残疾学生'
  AND (c.issued IS NULL OR c.issued <= y + '-12-31')
  AND (c.revoked IS NULL OR c.revoked >= y + '-01-01')
WITH s, pa, a, y, ph, h, paid, registered, count(c) AS certified
WITH s, pa, a, y, ph, h,
     CASE a.category
       WHEN '农村低保家庭学生' THEN CASE WHEN paid = 0 THEN '其户（户号' + h.household_id + '）' + y + '年未领取低保' END
       WHEN '农村特困救助供养学生' THEN CASE WHEN paid = 0 THEN '其户（户号' + h.household_id + '）' + y + '年未纳入特困供养' END
       WHEN '建档立卡经济困难学生' THEN CASE WHEN registered = 0 THEN '其户（户号' + h.household_id + '）不在' + y + '年建档立卡贫困户名单' END
       ELSE CASE WHEN certified = 0 THEN '本人' + y + '年无有效残疾人证' END
     END AS why
WHERE why IS NOT NULL
OPTIONAL MATCH pg = (a)-[:UNDER]->(prog:Program)
WITH s, pa, a, ph, h, why, prog, pg ORDER BY prog.program_code
WITH s, pa, a, ph, h, why, collect(pg) AS pgs, collect(coalesce(prog.name, prog.program_code)) AS policies
OPTIONAL MATCH pt = (a)-[:AT_SCHOOL]->(sc:School)
WITH s, pa, a, ph, h, why, pgs, policies, collect(pt) AS pts, collect(sc.name) AS schools
RETURN [s.id_number, h.household_id] AS subjects,
       [pa, ph] + pgs + pts AS evidence,
       {student: s.name, school: coalesce(head(schools), '学校不详'), grade: coalesce(a.grade, ''),
        year: a.year, category: a.category, policies: policies, amount: a.amount, why: why} AS facts
