/**
 * The audit trail's engine side: the event type and the sink the engine calls for every change
 * made through the Kafka protocol. Plain Java; the persistence adapter stores the events.
 */
package org.tributary.audit;
