INSERT INTO rooms (slug, title, topic, position) VALUES
  ('general', 'General', 'Anything and everything', 10),
  ('help', 'Help', 'Questions about running and using this chat', 20),
  ('ops', 'Ops', 'Deploys, incidents and the swarm itself', 30),
  ('off-topic', 'Off-topic', 'Cats, music and the weather', 40)
ON CONFLICT (slug) DO NOTHING;
