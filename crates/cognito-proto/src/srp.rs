//! SRP-6a as Amazon Cognito implements it (placeholder, filled by the SRP work).
