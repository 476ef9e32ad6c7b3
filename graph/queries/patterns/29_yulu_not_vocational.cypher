// ---
// id: yulu_not_vocational
// title_zh: 雨露计划补助非职业院校学生
// title_en: Yulu (vocational) aid for a student not at a vocational school
// severity: medium
// category: false_claims
// description: >
//   雨露计划 pays poor households' children in vocational education. A student aided
//   under it in a school year whose record's school type is not vocational (中职, 高职,
//   技工), or, when the roster gives no school type, whose school's name does not read as
//   a vocational school. School years starting after `as_of` are not judged. The
//   evidence holds the aid record, the programme and the school.
// params:
//   program_words:
//     type: str_list
//     default: [雨露计划]
//     help: words in a programme's name that mark it as 雨露计划
//   vocational_types:
//     type: str_list
//     default: [中职, 高职, 技工]
//     help: school types (学段) that count as vocational
//   vocational_words:
//     type: str_list
//     default: [职业, 中专, 技工, 职校, 技师]
//     help: words in a school's name that mark it as vocational when the type is missing
// explanation: "{student}{year}学年在{school}（{kind}，{grade}）就读，却享受「{program}」{amount:and_yuan}，该补助仅限职业院校学生。"
// ---
MATCH (g:Program)
WITH g, [w IN $program_words WHERE coalesce(g.name, '') CONTAINS w] AS hits
WHERE size(hits) > 0
MATCH pa = (s:Person)-[:AIDED]->(a:StudentAid)-[:UNDER]->(g)
WHERE a.year IS NOT NULL AND substring(a.year, 0, 4) <= substring($as_of, 0, 4)
OPTIONAL MATCH pt = (a)-[:AT_SCHOOL]->(sc:School)
WITH s, pa, a, g, collect(pt) AS pts, collect(sc.name) AS schools
WITH s, pa, a, g, pts, schools,
     size([w IN $vocational_words WHERE any(n IN schools WHERE n CONTAINS w)]) > 0 AS named_vocational
WHERE (a.school_type IS NOT NULL AND NOT a.school_type IN $vocational_types)
   OR (a.school_type IS NULL AND NOT named_vocational)
RETURN [s.id_number, g.program_code] AS subjects,
       [pa] + pts AS evidence,
       {student: s.name, year: a.year, school: coalesce(head(schools), '学校不详'),
        kind: coalesce(a.school_type, '学段未填'), grade: coalesce(a.grade, '年级不详'),
        program: coalesce(g.name, g.program_code), amount: a.amount} AS facts
