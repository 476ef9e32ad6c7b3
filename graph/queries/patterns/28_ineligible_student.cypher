// ---
// id: ineligible_student
// title_zh: 资助对象不符（非户籍、已死亡或超龄）
// title_en: Aid to a student not in the register, dead, or past the grade's age
// severity: high
// category: false_claims
// description: >
//   A student aided in a school year who is not in the household register (named only
//   by the roster or another register), who died before the school year began
//   (1 September), or who is older than the grade allows: on that day more than
//   `tolerance` years past the usual age of the grade (6 for 一年级, 12 for 初一/七年级,
//   15 for 高一 and 中职一年级, 3 for 小班). School years starting after `as_of` are not
//   judged. The evidence holds the aid record, its policies and school, and the roster's
//   household with its village.
// params:
//   tolerance:
//     type: int
//     default: 3
//     help: years past the grade's usual age that are still accepted
// explanation: "{student}（{school}{grade}）{year}学年享受{policies:list}{amount:and_yuan}，但{why}。"
// ---
MATCH pa = (s:Person)-[:AIDED]->(a:StudentAid)
WHERE a.year IS NOT NULL AND substring(a.year, 0, 4) <= substring($as_of, 0, 4)
WITH s, pa, a, substring(a.year, 0, 4) + '-09-01' AS start
WITH s, pa, a, start,
     CASE a.grade
       WHEN '小班' THEN 3 WHEN '中班' THEN 4 WHEN '大班' THEN 5
       WHEN '一年级' THEN 6 WHEN '二年级' THEN 7 WHEN '三年级' THEN 8
       WHEN '四年级' THEN 9 WHEN '五年级' THEN 10 WHEN '六年级' THEN 11
       WHEN '初一' THEN 12 WHEN '七年级' THEN 12 WHEN '初二' THEN 13 WHEN '八年级' THEN 13
       WHEN '初三' THEN 14 WHEN '九年级' THEN 14
       WHEN '高一' THEN 15 WHEN '高二' THEN 16 WHEN '高三' THEN 17
       WHEN '中职一年级' THEN 15 WHEN '中职二年级' THEN 16 WHEN '中职三年级' THEN 17
       ELSE null END AS usual,
     CASE WHEN s.birth_date IS NULL THEN null
          ELSE toInteger(substring(start, 0, 4)) - toInteger(substring(s.birth_date, 0, 4))
               - CASE WHEN substring(s.birth_date, 5, 5) > '09-01' THEN 1 ELSE 0 END END AS age
WITH s, pa, a, start, usual, age,
     CASE WHEN s.in_register = false THEN ['不在户籍人口库'] ELSE [] END
     + CASE WHEN s.death_date IS NOT NULL AND s.death_date < start
            THEN ['已于' + s.death_date + '死亡'] ELSE [] END
     + CASE WHEN usual IS NOT NULL AND age IS NOT NULL AND age > usual + $tolerance
            THEN ['学年开始时已' + toString(age) + '岁，超过' + a.grade + '的正常年龄（' + toString(usual) + '岁）' + toString(age - usual) + '岁']
            ELSE [] END AS whys
WHERE size(whys) > 0
OPTIONAL MATCH pg = (a)-[:UNDER]->(prog:Program)
WITH s, pa, a, whys, prog, pg ORDER BY prog.program_code
WITH s, pa, a, whys, collect(pg) AS pgs, collect(coalesce(prog.name, prog.program_code)) AS policies
OPTIONAL MATCH pt = (a)-[:AT_SCHOOL]->(sc:School)
WITH s, pa, a, whys, pgs, policies, collect(pt) AS pts, collect(sc.name) AS schools
// The roster's household and its village: a student outside the register has no village
// of their own, and the finding is placed (and scoped to an investigator) by this one.
OPTIONAL MATCH ph = (:Household {household_id: a.household_id})-[:LIVES_IN]->(:Division)
WITH s, pa, a, whys, pgs, policies, pts, schools, collect(ph) AS phs
RETURN [s.id_number] AS subjects,
       [pa] + pgs + pts + phs AS evidence,
       {student: s.name, school: coalesce(head(schools), '学校不详'), grade: coalesce(a.grade, ''),
        year: a.year, policies: policies, amount: a.amount,
        why: reduce(t = '', x IN whys | t + CASE WHEN t = '' THEN '' ELSE '，且' END + x)} AS facts
