package com.adsconnect.testsupport;

/** The real dependencies a test class can ask for with {@link RealInfrastructure}. */
public enum Infrastructure {
    /** A PostgreSQL database of the test class's own. */
    POSTGRES,
    /** The Kafka broker shared by the test JVM. */
    KAFKA,
    /** The Redis server shared by the test JVM. */
    REDIS,
    /** The sandbox Clerk (an HTTP stub issuing RS256 session tokens) shared by the test JVM. */
    CLERK,
    /** The sandbox Amazon (Login with Amazon and Ads API stub on WireMock) shared by the test JVM. */
    AMAZON,
    /** The sandbox Google (OAuth 2.0 and Google Ads API stub on WireMock) shared by the test JVM. */
    GOOGLE,
    /** The sandbox Microsoft (identity platform and Microsoft Advertising stub on WireMock) shared by the test JVM. */
    MICROSOFT,
    /** A real SMTP server (GreenMail, behind a proxy that can cut it off) shared by the test JVM. */
    MAIL,
    /** The sandbox Slack (incoming webhooks on WireMock) shared by the test JVM. */
    SLACK
}
