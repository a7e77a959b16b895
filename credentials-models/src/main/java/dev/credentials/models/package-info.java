/**
 * Model-provider keys, found by {@link java.util.ServiceLoader}: OpenAI, Anthropic, Azure OpenAI, Google Gemini and
 * OpenAI-compatible servers. Each verifier lists models (free and read-only), reads the provider's own error codes
 * before any status fallback, tells billing and quota (FAILED {@code QUOTA_EXHAUSTED}) from rate limits
 * (INCONCLUSIVE), never follows a redirect, and never quotes a body: providers echo keys in their errors.
 */
package dev.credentials.models;
