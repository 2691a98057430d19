-- Look-alike names, round two (issue 19: `Alice.`, `alice_`, `bob_`, `bob-`, `b.o.b`, `8ob`,
-- `carol0` registered beside alice, bob and carol). The skeleton now also drops the separators
-- a name may hold (. _ -), wherever they are, and maps the digits that pass for letters: 0 for o,
-- 1 for l, 8 for b. A name of separators only keeps its own lower case, so it is still one name.
CREATE OR REPLACE FUNCTION name_skeleton(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(
    replace(replace(replace(translate(lower(translate(p_name, 'I', 'l')), '018._-', 'olb'), 'rn', 'm'), 'vv', 'w'), 'cl', 'd'),
    ''), lower(p_name))
$$;

-- Names that look alike under the new rule and were registered before it keep their names: the
-- oldest holds the skeleton, as in sql/021_accounts.sql.
UPDATE users SET name_skeleton = NULL;
UPDATE users u SET name_skeleton = s.skeleton
FROM (SELECT id, name_skeleton(name) AS skeleton, row_number() OVER (PARTITION BY name_skeleton(name) ORDER BY id) AS nth FROM users) s
WHERE u.id = s.id AND s.nth = 1;
