//! SRP-6a as Amazon Cognito implements it (in progress).
