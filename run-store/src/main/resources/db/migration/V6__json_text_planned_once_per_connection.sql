-- The same function in PL/pgSQL: a SQL function that is not inlined is parsed and planned again in
-- every statement that calls it, and the writer calls it about five times per calculator run (its
-- input, its output, each tool's output). That was a fifth of PostgreSQL's CPU on the live path; a
-- PL/pgSQL function keeps its plan for the connection.
CREATE OR REPLACE FUNCTION json_text(doc jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN (SELECT string_agg(v #>> '{}', ' ')
            FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "string" || @.type() == "number")') v);
END
$$;
