package org.tributary.cluster;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.UUID;

/**
 * A broker's registration in the data grid: its {@link BrokerInfo} plus the data-grid member that
 * holds it (a registration is alive while that member is). Stored in the grid as plain text so
 * that no application class has to be deserialized by the server-wide Hazelcast instance.
 */
record BrokerRecord(BrokerInfo info, UUID member) {

    String encode() {
        Properties p = new Properties();
        p.setProperty("id", Integer.toString(info.id()));
        p.setProperty("host", info.host());
        p.setProperty("kafkaPort", Integer.toString(info.kafkaPort()));
        p.setProperty("httpPort", Integer.toString(info.httpPort()));
        if (info.rack() != null) {
            p.setProperty("rack", info.rack());
        }
        p.setProperty("member", member.toString());
        StringWriter w = new StringWriter();
        try {
            p.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static BrokerRecord decode(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BrokerInfo info = new BrokerInfo(Integer.parseInt(p.getProperty("id")), p.getProperty("host"),
                Integer.parseInt(p.getProperty("kafkaPort")), Integer.parseInt(p.getProperty("httpPort")),
                p.getProperty("rack"));
        return new BrokerRecord(info, UUID.fromString(p.getProperty("member")));
    }
}
