import { useState } from "react";
import { labels } from "./config";

export function LoginForm({ onSubmit }: { onSubmit: (u: string, p: string) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  return (
    <form onSubmit={(e) => { e.preventDefault(); onSubmit(username, password); }}>
      <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      <input type="password" name="password" placeholder="••••••••" value={password}
        onChange={(e) => setPassword(e.target.value)} aria-label={labels.password} />
      <button type="submit">Sign in</button>
    </form>
  );
}
