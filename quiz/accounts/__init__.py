"""Accounts: password hashing, throttled log-in and sign-up."""
