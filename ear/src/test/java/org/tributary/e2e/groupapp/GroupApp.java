package org.tributary.e2e.groupapp;

import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * A small application as a team would deploy it beside Tributary on a Payara Server deployment
 * group: its own WAR, using the resource adapter embedded in the Tributary EAR (named
 * {@value #ADAPTER}, Payara's {@code application#module} form). It names no brokers: the adapter
 * finds them through the data grid. {@link SendResource} sends through a JMS connection factory of
 * the adapter, {@link RecordsListener} consumes with an MDB.
 */
@ApplicationPath("api")
@ConnectionFactoryDefinition(name = "java:app/tributary/Jms", interfaceName = "jakarta.jms.ConnectionFactory",
        resourceAdapter = GroupApp.ADAPTER, transactionSupport = TransactionSupportLevel.NoTransaction,
        properties = {"sendTimeoutMs=120000", "producerProperties=delivery.timeout.ms=120000"})
public class GroupApp extends Application {
    /** The resource adapter as deployed to the group beside the EAR, under the name applications use on Payara Micro too. */
    public static final String ADAPTER = "tributary-jca";
    /** The topic the test creates and this application sends to and consumes. */
    public static final String TOPIC = "groupapp";
    /** The MDB's consumer group. */
    public static final String GROUP = "groupapp-mdb";
    /** Where each instance's MDB appends what it received: under the instance's own directory. */
    public static final String RECEIVED_FILE = "groupapp-received.log";
}
