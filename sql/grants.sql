-- Applied after every migration run, as the owner: the app's runtime role (when the deployment
-- created one) reads and writes rows and calls the functions, but cannot change the schema.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_app') THEN
    GRANT USAGE ON SCHEMA public TO chat_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO chat_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO chat_app;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO chat_app;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_readonly') THEN
    GRANT USAGE ON SCHEMA public TO chat_readonly;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO chat_readonly;
  END IF;
END
$$;
