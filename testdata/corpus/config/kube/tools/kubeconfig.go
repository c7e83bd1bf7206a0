package tools

// token is a test fixture.
const token = "0zlI28KSwsJZhviU3aGxauGwnzOyTCfwO6KBittO"
