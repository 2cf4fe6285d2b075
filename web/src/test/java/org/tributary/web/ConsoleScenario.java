package org.tributary.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in headless Chromium (Debian packages chromium and chromium-driver): log in as the
 * admin, create a topic, produce a record, find it in the message browser, edit a partition's replicas, see a group's lag,
 * delete the topic, log out; and, as a viewer, find no way to delete a topic. Screenshots of each
 * page go to {@code target/screenshots/}.
 */
final class ConsoleScenario {
    private static final String TOPIC = "console-topic-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    private static final String GROUP = "console-group-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    private final int port;
    private final String bootstrap;
    private final Path shots = Paths.get("target", "screenshots");
    private WebDriver driver;

    private final String user;
    private final String password;

    ConsoleScenario(int port, String bootstrap, String user, String password) {
        this.port = port;
        this.bootstrap = bootstrap;
        this.user = user;
        this.password = password;
    }

    /** The admin's tour: every change the console offers. */
    void run() throws Exception {
        inBrowser(this::scenario);
    }

    /** A viewer sees the topic {@code topic} but no control to delete it (or any other change), and logs out. */
    void runAsViewer(String topic) throws Exception {
        inBrowser(() -> {
            login();
            open("#/topics/" + topic);
            waitFor("the topic page", () -> exists("partitions-table"));
            waitFor("the viewer's name and role", () -> text("me-name").equals(user) && text("me-role").equals("viewer"));
            waitFor("the partition rows", () -> !driver.findElements(By.cssSelector("#partitions-table tr[data-partition]")).isEmpty());
            assertTrue(!exists("delete-topic") && !exists("create-form") && !exists("produce-form") && !exists("set-config")
                    && !exists("reassign-form") && driver.findElements(By.cssSelector("button.edit-replicas")).isEmpty(),
                    "a viewer gets no controls that change anything");
            open("#/topics");
            waitFor("the topic list without the create form", () -> exists("topics") && text("topics").contains(topic)
                    && !exists("create-form"));
            shot("11-viewer-topics");
            logout();
        });
    }

    /**
     * A viewer opens the Transactions page and finds the open transaction {@code transactionalId}
     * with its topic, its age growing as the page refreshes itself.
     */
    void seeOpenTransaction(String transactionalId, String topic) throws Exception {
        inBrowser(() -> {
            login();
            open("#/transactions");
            waitFor("the open transaction", () -> exists("transactions-table") && text("transactions-table").contains(transactionalId)
                    && text("transactions-table").contains(topic));
            long first = ageShown(transactionalId);
            waitFor("the transaction's age growing", () -> ageShown(transactionalId) > first);
            shot("12-viewer-transactions");
            logout();
        });
    }

    private long ageShown(String transactionalId) {
        WebElement row = driver.findElement(By.cssSelector("tr[data-txn='" + transactionalId + "'] .txn-age"));
        return Long.parseLong(row.getAttribute("data-age-ms"));
    }

    interface Steps {
        void run() throws Exception;
    }

    private void inBrowser(Steps steps) throws Exception {
        Files.createDirectories(shots);
        Path profile = Files.createTempDirectory(Paths.get("target"), "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1366,900", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        try {
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60)).scriptTimeout(Duration.ofSeconds(30));
            steps.run();
        } finally {
            driver.quit();
            service.stop();
        }
    }

    private void login() throws Exception {
        driver.get("http://127.0.0.1:" + port + "/console/");
        waitFor("the login page (anyone not logged in is sent there)", () -> driver.getCurrentUrl().endsWith("/console/login.html")
                && exists("login-form"));
        type("username", user);
        type("password", "not the password");
        click("login");
        waitFor("a refused login", () -> text("login-error").contains("wrong user name or password"));
        type("password", password);
        shot("00-login-" + user);
        click("login");
        waitFor("the console, logged in as " + user, () -> text("me-name").equals(user));
    }

    private void logout() throws Exception {
        click("logout");
        waitFor("the login page after logging out", () -> driver.getCurrentUrl().endsWith("/console/login.html"));
        driver.get("http://127.0.0.1:" + port + "/console/#/topics");
        // the browser keeps the fragment across the redirect: .../console/login.html#/topics
        waitFor("the console closed again after logout", () -> driver.getCurrentUrl().contains("/console/login.html")
                && exists("login-form") && !exists("me-name"));
    }

    private void scenario() throws Exception {
        login();
        waitFor("the admin's role in the header", () -> text("me-role").equals("admin"));
        open("#/overview");
        waitFor("the overview lists this broker", () -> text("brokers-table").contains("alive"));
        Thread.sleep(4_500); // a few samples on the live charts
        shot("01-overview");

        open("#/topics");
        type("new-topic-name", TOPIC);
        type("new-topic-partitions", "2");
        click("create-topic");
        waitFor("success message for the new topic", () -> toast().contains("Topic " + TOPIC + " created"));
        waitFor("the topic in the list", () -> driver.findElements(By.cssSelector("tr[data-topic='" + TOPIC + "']")).size() == 1);
        type("search", "console");
        shot("02-topics");

        open("#/topics/" + TOPIC);
        waitFor("the partition table", () -> text("partitions-table").contains("Log end"));
        type("produce-partition", "1");
        type("produce-key", "order-42");
        type("produce-value", "{\"amount\": 99}");
        type("produce-headers", "trace=abc123");
        click("produce");
        waitFor("success message for the record", () -> toast().contains("Produced to partition 1 at offset 0"));
        type("browse-partition", "1");
        click("browse");
        waitFor("the record in the message browser", () -> exists("records-table") && text("records-table").contains("order-42")
                && text("records-table").contains("\"amount\": 99") && text("records-table").contains("trace=abc123"));
        waitFor("the topic's message count", () -> text("cards").contains("1\nMessages"));
        shot("03-topic-detail");

        // a partition's replicas: Edit fills the form with them; moving to them is complete at once, a broker that does not
        // exist is refused, and there is no reassignment to cancel (a single node has nowhere to move a partition to)
        waitFor("Edit puts partition 1's replicas in the form", () -> {
            driver.findElement(By.cssSelector("button.edit-replicas[data-partition='1']")).click();
            return driver.findElement(By.id("reassign-partition")).getAttribute("value").equals("1")
                    && driver.findElement(By.id("reassign-replicas")).getAttribute("value").matches("\\d+");
        });
        String self = driver.findElement(By.id("reassign-replicas")).getAttribute("value");
        click("reassign");
        waitFor("the partition already on its replicas", () -> toast().contains("Partition 1 has replicas [" + self + "]"));
        type("reassign-replicas", self + ", 99");
        click("reassign");
        waitFor("the unknown broker refused", () -> toast().contains("broker 99") && toast().contains("(field: replicas)"));
        click("cancel-reassignment");
        waitFor("nothing to cancel", () -> toast().contains("No partition reassignment is in progress"));
        shot("03b-topic-reassign");

        AdminApiIT.commit(bootstrap, GROUP, Map.of(new TopicPartition(TOPIC, 1), 0L));
        open("#/groups");
        waitFor("the group in the list", () -> exists("groups-table") && text("groups-table").contains(GROUP));
        shot("04-groups");
        open("#/groups/" + GROUP);
        waitFor("the group's lag", () -> exists("lag-table") && text("total-lag").equals("1") && text("lag-table").contains("Total"));
        shot("05-group-detail");

        open("#/brokers");
        waitFor("the broker list", () -> exists("brokers-table") && text("brokers-table").contains("controller"));
        waitFor("no reassignment in progress", () -> exists("no-reassignments"));
        waitFor("the produce requests of this scenario in the request table", () -> exists("requests-table")
                && driver.findElements(By.cssSelector("tr[data-api='Produce']")).size() == 1
                && driver.findElements(By.cssSelector("tr[data-api='Fetch']")).size() == 1);
        shot("06-brokers");

        open("#/overview");
        try (Traffic traffic = new Traffic(bootstrap, TOPIC)) {
            waitFor("messages in and out per second on the overview", () -> number("rate-messages-in") > 0
                    && number("rate-messages-out") > 0);
            Thread.sleep(4_500); // a few points on the live charts
            shot("07-overview-live");
        }

        open("#/topics/" + TOPIC);
        waitFor("the topic page", () -> exists("partitions-table"));
        click("delete-topic");
        waitFor("the confirmation", () -> exists("confirm-delete"));
        shot("08-delete-confirmation");
        click("confirm-delete");
        waitFor("success message for the deletion", () -> toast().contains("Topic " + TOPIC + " deleted"));
        waitFor("the topic gone from the list", () -> driver.getCurrentUrl().endsWith("#/topics")
                && driver.findElements(By.cssSelector("tr[data-topic='" + TOPIC + "']")).isEmpty());
        Thread.sleep(2_500); // one more refresh: nothing from the deleted topic's page may show up here
        assertTrue(text("error").isEmpty(), "the topics page shows an error: " + text("error"));
        shot("09-topic-deleted");

        open("#/audit");
        type("audit-resource", TOPIC);
        click("audit-search");
        waitFor("the console's deletion in the audit trail, with the user", () -> exists("audit-table")
                && text("audit-table").contains("DELETE /api/topics/" + TOPIC) && text("audit-table").contains(user));
        shot("10-audit");
        logout();
    }

    private void open(String fragment) {
        String url = "http://127.0.0.1:" + port + "/console/" + fragment;
        if (driver.getCurrentUrl().startsWith("http://127.0.0.1:" + port + "/console/")) {
            ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", fragment);
        } else {
            driver.get(url);
        }
    }

    private boolean exists(String id) {
        return !driver.findElements(By.id(id)).isEmpty();
    }

    private String text(String id) {
        try {
            return driver.findElement(By.id(id)).getText();
        } catch (RuntimeException e) {
            return "";
        }
    }

    private double number(String id) {
        String t = text(id);
        return t.isEmpty() ? -1 : Double.parseDouble(t);
    }

    /** Produces and consumes on the topic in the background until closed: traffic for the live charts. */
    private static final class Traffic implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;

        Traffic(String bootstrap, String topic) {
            thread = new Thread(() -> {
                Map<String, Object> common = Map.of("bootstrap.servers", bootstrap);
                try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(common,
                        new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer());
                        var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(common,
                                new org.apache.kafka.common.serialization.StringDeserializer(),
                                new org.apache.kafka.common.serialization.StringDeserializer())) {
                    java.util.List<TopicPartition> tps = java.util.List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
                    consumer.assign(tps);
                    consumer.seekToBeginning(tps);
                    for (int i = 0; running; i++) {
                        for (int j = 0; j < 5; j++) {
                            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "live-" + i, "{\"n\": " + i + "}"));
                        }
                        consumer.poll(Duration.ofMillis(50));
                    }
                }
            }, "console-traffic");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }

    private String toast() {
        return text("toast");
    }

    private void type(String id, String value) {
        WebElement e = driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    private void click(String id) {
        driver.findElement(By.id(id)).click();
    }

    private void waitFor(String what, Supplier<Boolean> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
            } catch (RuntimeException ignored) {
                // the page is re-rendering; try again
            }
            Thread.sleep(200);
        }
        shot("failed-" + what.replaceAll("[^a-zA-Z0-9]+", "-"));
        assertTrue(false, "the console did not show " + what + " within 30 s; toast: " + toast());
    }

    private void shot(String name) throws Exception {
        File f = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
