// ---
// id: aid_household_assets
// title_zh: 受助学生家庭拥有车辆、商铺或经营企业
// title_en: Student aid while the household owns a car, commercial property or a business
// severity: medium
// category: false_claims
// description: >
//   The household checks of subsistence, applied to student aid: a student aided in a
//   school year (1 September to 31 August) under a means-tested category while a member
//   of the student's household (the student included) owned a car (not an exempt type), owned commercial
//   property (商业, 商住, 办公), or was the legal representative, a shareholder or a
//   director of an enterprise live in that school year. Ownership and roles carrying
//   dates must overlap the school year. School years starting after `as_of` are not
//   judged. The evidence holds the aid record and the member's asset or enterprise.
// params:
//   exempt_categories:
//     type: str_list
//     default: [孤儿, 其他]
//     help: categories not tested against household means
//   excluded_types:
//     type: str_list
//     default: [摩托, 三轮汽车, 低速, 残疾人, 轮椅]
//     help: vehicle types containing any of these words are not counted
//   usages:
//     type: str_list
//     default: [商业, 商住, 办公]
//     help: real-estate usages that count as commercial property
//   roles:
//     type: str_list
//     default: [股东, 执行董事, 董事, 董事长]
//     help: enterprise roles that count, besides legal representative
// explanation: "{student}{year}学年按「{category}」享受资助{amount:and_yuan}，{member}{what}。"
// ---
MATCH pa = (s:Person)-[:AIDED]->(a:StudentAid)
WHERE a.year IS NOT NULL AND substring(a.year, 0, 4) <= substring($as_of, 0, 4)
  AND NOT coalesce(a.category, '') IN $exempt_categories
WITH s, pa, a, substring(a.year, 0, 4) + '-09-01' AS y0,
     toString(toInteger(substring(a.year, 0, 4)) + 1) + '-08-31' AS y1
// The student counts as a member too. In two MATCH clauses, as one pattern Neo4j would
// keep the two MEMBER_OF relationships apart (so m <> s) and FalkorDB would not.
MATCH pm = (s)-[:MEMBER_OF]->(h:Household)
MATCH ph = (h)<-[mo:MEMBER_OF]-(m:Person)
MATCH px = (m)-[r:OWNS|LEGAL_REP_OF|ROLE_IN]->(x)
WHERE (r.valid_from IS NULL OR r.valid_from <= y1) AND (r.valid_to IS NULL OR r.valid_to >= y0)
WITH s, pa, a, y0, y1, pm, ph, mo, m, px, r, x,
     CASE
       WHEN x:Vehicle THEN CASE WHEN size([t IN $excluded_types WHERE coalesce(x.vehicle_type, '') CONTAINS t]) = 0
                                     AND coalesce(x.status, '正常') <> '注销' AND coalesce(x.status, '') <> '报废'
                                THEN '名下有' + coalesce(x.vehicle_type, '机动车') + x.plate END
       WHEN x:RealEstate THEN CASE WHEN x.usage IN $usages
                                   THEN '名下有' + x.usage + '用房（' + coalesce(x.address, '地址不详') + '）' END
       WHEN x:Enterprise THEN CASE WHEN (type(r) = 'LEGAL_REP_OF' OR r.role IN $roles)
                                        AND (x.established IS NULL OR x.established <= y1)
                                        AND (x.deregistered IS NULL OR x.deregistered >= y0)
                                   THEN '是' + x.name + '的' + CASE WHEN type(r) = 'LEGAL_REP_OF' THEN '法定代表人' ELSE r.role END END
     END AS what
WHERE what IS NOT NULL
WITH s, pa, a, m, mo, what, collect(pm) + collect(ph) + collect(px) AS ev, collect(coalesce(x.plate, x.cert_no, x.uscc)) AS keys
ORDER BY what
WITH s, pa, a, m, mo, collect(what) AS whats, collect(ev) AS evs, collect(keys) AS keyss
RETURN [s.id_number] + CASE WHEN m = s THEN [] ELSE [m.id_number] END
         + reduce(t = [], k IN keyss | t + k) AS subjects,
       [pa] + reduce(t = [], e IN evs | t + e) AS evidence,
       {student: s.name, year: a.year, category: coalesce(a.category, '未填'), amount: a.amount,
        member: CASE WHEN m = s THEN '本人'
                     ELSE '其户成员' + coalesce(m.name, '（姓名不详）') + '（' + coalesce(mo.relation_to_head, '成员') + '）' END,
        what: reduce(t = '', w IN whats | t + CASE WHEN t = '' THEN '' ELSE '，' END + w)} AS facts
