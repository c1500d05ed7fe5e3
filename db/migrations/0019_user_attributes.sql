-- eduMFA's custom user attributes: values Tessera keeps for a user of any resolver (an LDAP
-- directory too), set by admins and, where a user policy allows, by users themselves.
CREATE TABLE user_attribute (
  resolver VARCHAR(64) NOT NULL,
  username VARCHAR(255) NOT NULL,
  attribute_key VARCHAR(64) NOT NULL,
  attribute_value VARCHAR(1024) NOT NULL,
  attribute_type VARCHAR(32) NOT NULL,
  PRIMARY KEY (resolver, username, attribute_key)
);
