package com.adsconnect.local.support;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What the outbox committed, against what Kafka holds. A trigger copies every outbox row's event
 * id into a ledger table in the writer's own transaction, so the ledger holds exactly the events
 * whose transactions committed, whenever that was, and is untouched by the relay's deletes. A plain
 * consumer then counts Kafka's records by CloudEvents id.
 */
public final class OutboxLedger implements AutoCloseable {

    /** How the committed events fared on Kafka. */
    public record Tally(int committed, int transactions, Set<String> missing, int duplicated) {
    }

    private final StackDb db;

    private OutboxLedger(StackDb db) {
        this.db = db;
    }

    /** Starts recording; events committed before this are not in the ledger. */
    public static OutboxLedger record(StackDb db) {
        db.execute("DROP TABLE IF EXISTS outbox_ledger");
        db.execute("CREATE TABLE outbox_ledger (event_id uuid PRIMARY KEY, txid bigint NOT NULL)");
        db.execute("""
                CREATE OR REPLACE FUNCTION outbox_ledger_record() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO outbox_ledger (event_id, txid) VALUES (NEW.event_id, txid_current());
                    RETURN NEW;
                END $$""");
        db.execute("CREATE TRIGGER outbox_ledger AFTER INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION outbox_ledger_record()");
        return new OutboxLedger(db);
    }

    /** Reads the topics from the beginning and compares them with the ledger. */
    public Tally tally(String bootstrapServers, List<String> topics) {
        List<String> committed = db.texts("SELECT event_id::text FROM outbox_ledger");
        int transactions = (int) db.count("SELECT count(DISTINCT txid) FROM outbox_ledger");
        Map<String, Integer> onKafka = countById(bootstrapServers, topics);
        Set<String> missing = new HashSet<>();
        int duplicated = 0;
        for (String id : committed) {
            int copies = onKafka.getOrDefault(id, 0);
            if (copies == 0) {
                missing.add(id);
            } else if (copies > 1) {
                duplicated++;
            }
        }
        return new Tally(committed.size(), transactions, missing, duplicated);
    }

    private static Map<String, Integer> countById(String bootstrapServers, List<String> topics) {
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicRecords.readAll(bootstrapServers, topics)) {
            Header id = record.headers().lastHeader("ce_id");
            if (id != null) {
                counts.merge(new String(id.value(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Override
    public void close() {
        db.execute("DROP TRIGGER IF EXISTS outbox_ledger ON outbox_events");
        db.execute("DROP FUNCTION IF EXISTS outbox_ledger_record()");
    }
}
