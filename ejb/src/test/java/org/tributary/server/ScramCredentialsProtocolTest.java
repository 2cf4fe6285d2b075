package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.admin.ConfigCommand;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.DuplicateResourceException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.UnacceptableCredentialException;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.audit.AuditEvent;
import org.tributary.broker.ClusterBroker;
import org.tributary.testkit.KafkaTools;
import org.tributary.testing.LogCapture;

/**
 * SCRAM credentials (KIP-554) with Kafka's own Admin client and kafka-configs: written through the
 * controller, checked against Kafka's SCRAM proof computation, described without secrets, kept
 * across a restart, applied by every broker of a cluster, and never in a log line or the audit trail.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ScramCredentialsProtocolTest {
    private static final String ALICE_PASSWORD = "alice-Secret-4711";
    private static final String BOB_PASSWORD = "bob-Secret-0815";
    private TestBroker broker;
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Whether a client that knows {@code password} passes the check a SCRAM server makes with
     * {@code stored}: the client's proof, computed with Kafka's ScramFormatter, recovers the
     * stored key (RFC 5802: H(ClientProof XOR HMAC(StoredKey, AuthMessage)) == StoredKey).
     */
    static boolean proofMatches(ScramCredential stored, ScramMechanism m, String user, String password) throws Exception {
        ScramFormatter f = new ScramFormatter(m);
        ScramMessages.ClientFirstMessage first = new ScramMessages.ClientFirstMessage(ScramFormatter.saslName(user), "client-nonce",
                Map.of());
        ScramMessages.ServerFirstMessage serverFirst = new ScramMessages.ServerFirstMessage(first.nonce(), "server-nonce",
                stored.salt(), stored.iterations());
        ScramMessages.ClientFinalMessage clientFinal = new ScramMessages.ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8),
                serverFirst.nonce());
        byte[] salted = f.saltedPassword(password, serverFirst.salt(), serverFirst.iterations());
        clientFinal.proof(f.clientProof(salted, first, serverFirst, clientFinal));
        byte[] signature = f.clientSignature(stored.storedKey(), first, serverFirst, clientFinal);
        return MessageDigest.isEqual(f.storedKey(signature, clientFinal.proof()), stored.storedKey());
    }

    private static ScramCredential stored(ClusterBroker b, String user, ScramMechanism m) {
        return b.metadata().metadata().image().scram().find(user, m).orElseThrow(() -> new AssertionError("no " + m + " for " + user));
    }

    /** Every text form a secret could take in a log line. */
    private static List<String> forms(byte[] secret) {
        return List.of(HexFormat.of().formatHex(secret), Base64.getEncoder().encodeToString(secret), java.util.Arrays.toString(secret));
    }

    private static Map<String, List<ScramCredentialInfo>> describe(Admin admin) throws Exception {
        Map<String, List<ScramCredentialInfo>> out = new java.util.TreeMap<>();
        admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).forEach((u, d) -> out.put(u, d.credentialInfos()));
        return out;
    }

    private static ScramCredentialInfo info(org.apache.kafka.clients.admin.ScramMechanism m, int iterations) {
        return new ScramCredentialInfo(m, iterations);
    }

    private static Throwable cause(Runnable r) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> {
            try {
                r.run();
            } catch (RuntimeException x) {
                if (x.getCause() instanceof ExecutionException ee) {
                    throw ee;
                }
                throw x;
            }
        });
        return e.getCause();
    }

    private static void get(org.apache.kafka.common.KafkaFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new RuntimeException(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private int correlation;

    /** One raw request; the answer's frame and its parsed form. */
    private Map.Entry<byte[], AbstractResponse> exchange(RawClient c, ApiKeys key, ApiMessage body) throws Exception {
        RequestHeader header = new RequestHeader(key, (short) 0, "scram-test", ++correlation);
        c.writeFrame(RequestUtils.serialize(header.data(), header.headerVersion(), body, (short) 0));
        ByteBuffer frame = c.readFrame();
        byte[] bytes = new byte[frame.remaining()];
        frame.duplicate().get(bytes);
        return Map.entry(bytes, AbstractResponse.parseResponse(frame, header));
    }

    @Test
    void credentialsWrittenThroughAdminMatchTheirPasswordAreDescribedWithoutSecretsAndSurviveARestart() throws Exception {
        broker = new TestBroker();
        Collection<AuditEvent> audit = new ConcurrentLinkedQueue<>();
        broker.server().audit(audit::add);
        List<String> logged;
        byte[][] secrets;
        try (LogCapture log = LogCapture.on("")) {
            try (Admin admin = broker.admin()) {
                admin.alterUserScramCredentials(List.of(
                        new UserScramCredentialUpsertion("alice", info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 8192),
                                ALICE_PASSWORD),
                        new UserScramCredentialUpsertion("bob", info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096),
                                BOB_PASSWORD))).all().get(30, TimeUnit.SECONDS);
                assertEquals(Map.of("alice", List.of(info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 8192)),
                        "bob", List.of(info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096))), describe(admin));
                UserScramCredentialsDescription alice = admin.describeUserScramCredentials(List.of("alice")).description("alice")
                        .get(30, TimeUnit.SECONDS);
                assertEquals("alice", alice.name());

                // what the SASL authenticator will rely on: the stored keys accept the password, and only it
                ScramCredential a = stored(broker.broker(), "alice", ScramMechanism.SCRAM_SHA_256);
                ScramCredential b = stored(broker.broker(), "bob", ScramMechanism.SCRAM_SHA_512);
                assertEquals(8192, a.iterations());
                assertTrue(proofMatches(a, ScramMechanism.SCRAM_SHA_256, "alice", ALICE_PASSWORD));
                assertFalse(proofMatches(a, ScramMechanism.SCRAM_SHA_256, "alice", BOB_PASSWORD));
                assertTrue(proofMatches(b, ScramMechanism.SCRAM_SHA_512, "bob", BOB_PASSWORD));
                assertFalse(proofMatches(b, ScramMechanism.SCRAM_SHA_512, "bob", BOB_PASSWORD + "x"));
                secrets = new byte[][] {a.salt(), a.storedKey(), a.serverKey(), b.salt(), b.storedKey(), b.serverKey(),
                        new ScramFormatter(ScramMechanism.SCRAM_SHA_256).saltedPassword(ALICE_PASSWORD, a.salt(), a.iterations())};

                // refused, per user, with Kafka's errors; nothing of them is written
                assertInstanceOf(UnacceptableCredentialException.class, cause(() -> get(admin.alterUserScramCredentials(List.of(
                        new UserScramCredentialUpsertion("carol", info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256,
                                1024), "pw"))).all())));
                assertInstanceOf(UnacceptableCredentialException.class, cause(() -> get(admin.alterUserScramCredentials(List.of(
                        new UserScramCredentialUpsertion("carol", info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256,
                                16385), "pw"))).all())));
                assertInstanceOf(ResourceNotFoundException.class, cause(() -> get(admin.alterUserScramCredentials(List.of(
                        new UserScramCredentialDeletion("alice", org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512))).all())));
                assertInstanceOf(DuplicateResourceException.class, cause(() -> get(admin.alterUserScramCredentials(List.of(
                        new UserScramCredentialDeletion("bob", org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512),
                        new UserScramCredentialUpsertion("bob", info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 4096),
                                "pw"))).all())));
                assertInstanceOf(ResourceNotFoundException.class, cause(() -> get(admin.describeUserScramCredentials(List.of("carol"))
                        .description("carol"))));
                assertEquals(2, describe(admin).size(), "nothing refused was written");
            }

            // raw: an unknown mechanism (the Admin client refuses it itself), a user named twice in a
            // describe, and a Describe answer that holds no salt or key
            try (RawClient c = new RawClient(broker.port())) {
                AlterUserScramCredentialsResponseData alter = (AlterUserScramCredentialsResponseData) exchange(c,
                        ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, new AlterUserScramCredentialsRequestData().setUpsertions(List.of(
                                new AlterUserScramCredentialsRequestData.ScramCredentialUpsertion().setName("dave").setMechanism((byte) 9)
                                        .setIterations(4096).setSalt(new byte[] {1}).setSaltedPassword(new byte[32])))).getValue().data();
                assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), alter.results().get(0).errorCode());
                Map.Entry<byte[], AbstractResponse> d = exchange(c, ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                        new DescribeUserScramCredentialsRequestData().setUsers(List.of(
                                new DescribeUserScramCredentialsRequestData.UserName().setName("alice"),
                                new DescribeUserScramCredentialsRequestData.UserName().setName("bob"),
                                new DescribeUserScramCredentialsRequestData.UserName().setName("bob"),
                                new DescribeUserScramCredentialsRequestData.UserName().setName("nobody"))));
                DescribeUserScramCredentialsResponseData describe = (DescribeUserScramCredentialsResponseData) d.getValue().data();
                assertEquals(Errors.NONE.code(), describe.errorCode());
                assertEquals(List.of("alice", "bob", "nobody"), describe.results().stream().map(r -> r.user()).toList());
                assertEquals(Errors.NONE.code(), describe.results().get(0).errorCode());
                assertEquals(List.of(new DescribeUserScramCredentialsResponseData.CredentialInfo().setMechanism((byte) 1)
                        .setIterations(8192)), describe.results().get(0).credentialInfos());
                assertEquals(Errors.DUPLICATE_RESOURCE.code(), describe.results().get(1).errorCode());
                assertEquals("Cannot describe SCRAM credentials for the same user twice in a single request: bob",
                        describe.results().get(1).errorMessage());
                assertEquals(Errors.RESOURCE_NOT_FOUND.code(), describe.results().get(2).errorCode());
                assertEquals("Attempt to describe a user credential that does not exist: nobody", describe.results().get(2).errorMessage());
                String frame = new String(d.getKey(), StandardCharsets.ISO_8859_1);
                for (byte[] s : secrets) {
                    assertFalse(frame.contains(new String(s, StandardCharsets.ISO_8859_1)), "a salt or key in the Describe answer");
                }
            }
            broker.restart();
            try (Admin admin = broker.admin()) {
                assertEquals(2, describe(admin).size(), "credentials survive a restart");
                ScramCredential a = stored(broker.broker(), "alice", ScramMechanism.SCRAM_SHA_256);
                assertArrayEquals(secrets[1], a.storedKey());
                assertTrue(proofMatches(a, ScramMechanism.SCRAM_SHA_256, "alice", ALICE_PASSWORD));
                admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("alice",
                        org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256))).all().get(30, TimeUnit.SECONDS);
                assertEquals(List.of("bob"), List.copyOf(describe(admin).keySet()));
            }
            logged = log.messages();
        }
        assertTrue(logged.stream().anyMatch(l -> l != null && l.startsWith("TRIB-")), "the capture saw the broker's log: " + logged);
        for (String line : logged) {
            assertFalse(line != null && (line.contains(ALICE_PASSWORD) || line.contains(BOB_PASSWORD)), "a password in the log: " + line);
            for (byte[] s : secrets) {
                for (String form : forms(s)) {
                    assertFalse(line != null && line.contains(form), "a salt or key in the log: " + line);
                }
            }
        }
        // the audit trail names the user, the mechanism and the result, never a secret
        List<AuditEvent> alice = audit.stream().filter(e -> e.action().equals("AlterUserScramCredentials")
                && e.resourceName().equals("alice")).toList();
        assertEquals("upsert SCRAM-SHA-256", alice.get(0).detail());
        assertEquals("NONE", alice.get(0).result());
        assertTrue(alice.stream().anyMatch(e -> e.result().equals("RESOURCE_NOT_FOUND")), String.valueOf(alice));
        for (AuditEvent e : audit) {
            String text = e.toString();
            assertFalse(text.contains(ALICE_PASSWORD) || text.contains(BOB_PASSWORD), text);
            for (byte[] s : secrets) {
                forms(s).forEach(f -> assertFalse(text.contains(f), text));
            }
        }
    }

    private String configs(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = broker.bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        return KafkaTools.run("kafka-configs", ConfigCommand::main, all);
    }

    @Test
    void kafkaConfigsAddsDescribesAndDeletesAUsersScramCredential() throws Exception {
        broker = new TestBroker();
        String out = configs("--alter", "--add-config", "SCRAM-SHA-256=[iterations=8192,password=carol-Pw-1]", "--entity-type", "users",
                "--entity-name", "carol");
        assertTrue(out.contains("Completed updating config for user carol"), out);
        assertFalse(out.contains("EXIT"), out);
        out = configs("--alter", "--add-config", "SCRAM-SHA-512=[password=carol-Pw-2]", "--entity-type", "users", "--entity-name", "carol");
        assertTrue(out.contains("Completed updating config for user carol"), out);
        assertTrue(proofMatches(stored(broker.broker(), "carol", ScramMechanism.SCRAM_SHA_256), ScramMechanism.SCRAM_SHA_256, "carol",
                "carol-Pw-1"));
        assertTrue(proofMatches(stored(broker.broker(), "carol", ScramMechanism.SCRAM_SHA_512), ScramMechanism.SCRAM_SHA_512, "carol",
                "carol-Pw-2"));

        out = configs("--describe", "--entity-type", "users", "--entity-name", "carol");
        assertTrue(out.contains("SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-256=iterations=8192, "
                + "SCRAM-SHA-512=iterations=4096"), out);
        assertFalse(out.contains("carol-Pw"), out);
        out = configs("--describe", "--entity-type", "users");
        assertTrue(out.contains("user-principal 'carol'"), out);

        out = configs("--alter", "--delete-config", "SCRAM-SHA-256", "--entity-type", "users", "--entity-name", "carol");
        assertTrue(out.contains("Completed updating config for user carol"), out);
        out = configs("--describe", "--entity-type", "users", "--entity-name", "carol");
        assertTrue(out.contains("are SCRAM-SHA-512=iterations=4096") && !out.contains("SCRAM-SHA-256"), out);
        configs("--alter", "--delete-config", "SCRAM-SHA-512", "--entity-type", "users", "--entity-name", "carol");
        assertTrue(broker.broker().metadata().metadata().image().scram().isEmpty());
        // deleting what is not there is refused, as Kafka refuses it
        out = configs("--alter", "--delete-config", "SCRAM-SHA-512", "--entity-type", "users", "--entity-name", "carol");
        assertTrue(out.contains("ResourceNotFoundException: Attempt to delete a user credential that does not exist")
                && out.contains("EXIT 1"), out);
    }

    @Test
    void alteringNeedsAlterOnTheClusterAndDescribingNeedsDescribe() throws Exception {
        broker = new TestBroker(AclProtocolTest.AUTHORIZER);
        AclProtocolTest.grant(broker.broker(), AclProtocolTest.cluster(org.apache.kafka.common.acl.AclOperation.DESCRIBE));
        try (Admin admin = broker.admin()) {
            assertInstanceOf(ClusterAuthorizationException.class, cause(() -> get(admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialUpsertion("eve", info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 4096),
                            "pw"))).all())));
            assertEquals(Map.of(), describe(admin), "DESCRIBE is granted; nothing was written");
            AclProtocolTest.grant(broker.broker(), AclProtocolTest.cluster(org.apache.kafka.common.acl.AclOperation.ALTER));
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("eve", info(
                    org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 4096), "pw"))).all().get(30, TimeUnit.SECONDS);
            assertEquals(1, describe(admin).size());
        }
        try (TestBroker denied = new TestBroker(AclProtocolTest.AUTHORIZER); Admin admin = denied.admin()) {
            assertInstanceOf(ClusterAuthorizationException.class, cause(() -> get(admin.describeUserScramCredentials().all())));
        }
    }

    @Test
    void aCredentialWrittenThroughOneBrokerIsAppliedByEveryBrokerOfTheCluster() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        try (Admin admin = cluster.admin(1)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice", info(
                    org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 8192), ALICE_PASSWORD))).all().get(30, TimeUnit.SECONDS);
        }
        for (int id = 1; id <= 3; id++) {
            ClusterBroker b = cluster.broker(id);
            InJvmCluster.await("broker " + b.self().id() + " has alice's credential", 30_000,
                    () -> b.metadata().metadata().image().scram().contains("alice", ScramMechanism.SCRAM_SHA_256));
            assertTrue(proofMatches(stored(b, "alice", ScramMechanism.SCRAM_SHA_256), ScramMechanism.SCRAM_SHA_256, "alice",
                    ALICE_PASSWORD));
        }
        try (Admin admin = cluster.admin(2)) {
            assertEquals(Map.of("alice", List.of(info(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 8192))),
                    describe(admin), "described by a second broker");
            admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("alice",
                    org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256))).all().get(30, TimeUnit.SECONDS);
        }
        ClusterBroker first = cluster.broker(1);
        InJvmCluster.await("the deletion reaches broker 1", 30_000, () -> first.metadata().metadata().image().scram().isEmpty());
        try (Admin admin = cluster.admin(3)) {
            assertEquals(Map.of(), describe(admin));
        }
    }
}
