-- Seed users for the staging environment.
INSERT INTO users (email, password_hash, api_token_sha256) VALUES
  ('ops@corp.io', '$2b$12$KIXQhL8z3VxJpRnqgkT0Me6cZpWbYv1s9uF2nD4aH7oLtE5rQmC3i', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
  ('qa@corp.io', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$Vh6VYrM2oFm8oK4Q5bYhJp7f1tC0xR2dE3wS9aL6nZk', '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae');

-- The reporting role; its password is rotated by Vault.
CREATE ROLE reporting LOGIN PASSWORD 'md5c2a0f9d8e7b6a5c4d3e2f1a0b9c8d7e6';
