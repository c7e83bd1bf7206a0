// Public runtime configuration of the web client. Everything here ships to
// browsers: nothing in this file may be a secret.
export const config = {
  apiUrl: process.env.NEXT_PUBLIC_API_URL ?? "https://api.corp.io",
  sentryDsn: "https://3f9a0c1b2d4e4f6a8b7c9d0e1f2a3b4c@o451234.ingest.sentry.io/5678901",
  stripePublishableKey: "pk_live_51Hx9QzK2eLmN3oP4qR5sT6uV7wX8yZ9aB0cD1eF2gH3iJ4kL5mN6oP7qR8sT9uV",
  firebase: {
    apiKey: "%%FAKE:aiza:web-firebase%%",
    authDomain: "corp-web-prod.firebaseapp.com",
    projectId: "corp-web-prod",
  },
};

export const passwordPolicy = {
  minLength: 12,
  requireSymbol: true,
};

export const labels = {
  password: "Password",
  passwordHint: "At least 12 characters, one symbol",
  secret: "Secret",
  confirmPassword: "Confirm password",
};
