package archive

import (
	"math/rand"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/whisper"
)

// The archive benchmark: envBenchN envelopes (default benchDefaultN; the
// documented figure is for 1,000,000) over 100 topics and 30 days, 300-byte
// data each, archived in arrival order in Puts of benchPutBatch. The build
// is timed once and reported as ingest-env/s; then the sub-benchmarks time
// queries of one topic over one day with limit 1000 (about N/3000 results).
//
//	STATUSD_ARCHIVE_BENCH_N=1000000 scripts/postgres.sh run \
//	    go test -run '^$' -bench Archive -benchtime 2s ./transport/mailserver/archive/
//
// Reference run, 1,000,000 envelopes, 2 shared cores (AMD EPYC), PostgreSQL
// 15 with default settings on a unix socket (three runs varied by ~2x):
//
//	                          goleveldb         PostgreSQL
//	ingest (Puts of 100)      17,700–31,000/s   13,100–15,300/s
//	1 topic, 1 day (334 env)  0.6–1.2 ms mean   3.1–7.6 ms mean
//	                          p99 3.8 ms        p99 10.5 ms
//	10 topics, 1 day (1000)   2.2–2.5 ms        17–30 ms
//	Put of 1 envelope         36–70 µs          0.7–2.3 ms
const (
	envBenchN     = "STATUSD_ARCHIVE_BENCH_N"
	benchDefaultN = 100000
	benchTopics   = 100
	benchDays     = 30
	benchPutBatch = 100
	benchDataLen  = 300
	benchStart    = 1565000000
)

func benchN(b *testing.B) int {
	if s := os.Getenv(envBenchN); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < benchPutBatch {
			b.Fatalf("%s=%q: want an integer ≥ %d", envBenchN, s, benchPutBatch)
		}
		return n
	}
	return benchDefaultN
}

func benchTopic(i int) whisper.Topic {
	return whisper.TopicFromName("bench-topic-" + strconv.Itoa(i))
}

// buildBenchArchive fills a with n envelopes and returns the ingest rate.
func buildBenchArchive(b *testing.B, a Archive, n int) float64 {
	rng := rand.New(rand.NewSource(1))
	span := float64(benchDays * 86400)
	start := time.Now()
	envs := make([]*whisper.Envelope, 0, benchPutBatch)
	for i := 0; i < n; i += benchPutBatch {
		envs = envs[:0]
		arrived := time.Unix(benchStart+int64(span*float64(i)/float64(n)), 0)
		for j := i; j < min(i+benchPutBatch, n); j++ {
			data := make([]byte, benchDataLen)
			rng.Read(data)
			envs = append(envs, &whisper.Envelope{
				Expiry: uint32(arrived.Unix()) + 15, TTL: 15,
				Topic: benchTopic(rng.Intn(benchTopics)), Data: data, Nonce: uint64(j),
			})
		}
		if err := a.Put(ctx, arrived, envs...); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

func benchArchive(b *testing.B, a Archive) {
	n := benchN(b)
	rate := buildBenchArchive(b, a, n)
	b.Logf("archived %d envelopes at %.0f envelopes/s", n, rate)
	query := func(b *testing.B, mk func(rng *rand.Rand, day uint32) Query) {
		rng := rand.New(rand.NewSource(2))
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		got := 0
		for i := 0; i < b.N; i++ {
			day := uint32(benchStart + 86400*rng.Intn(benchDays))
			q := mk(rng, day)
			t0 := time.Now()
			p, err := a.Query(ctx, &q)
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			got += len(p.Entries)
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(got)/float64(b.N), "envelopes/op")
		b.ReportMetric(rate, "ingest-env/s")
	}
	b.Run("Topic1Day1", func(b *testing.B) {
		query(b, func(rng *rand.Rand, day uint32) Query {
			return Query{From: day, To: day + 86399, Topics: []whisper.Topic{benchTopic(rng.Intn(benchTopics))}, Limit: 1000}
		})
	})
	b.Run("Bloom1Day1", func(b *testing.B) {
		query(b, func(rng *rand.Rand, day uint32) Query {
			return Query{From: day, To: day + 86399, Bloom: benchTopic(rng.Intn(benchTopics)).Bloom(), Limit: 1000}
		})
	})
	b.Run("Topics10Day1", func(b *testing.B) {
		query(b, func(rng *rand.Rand, day uint32) Query {
			q := Query{From: day, To: day + 86399, Limit: 1000}
			for i := 0; i < 10; i++ {
				q.Topics = append(q.Topics, benchTopic(rng.Intn(benchTopics)))
			}
			return q
		})
	})
	b.Run("Put1", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			e := &whisper.Envelope{Expiry: benchStart + 86400*benchDays, TTL: 15, Topic: benchTopic(i % benchTopics),
				Data: make([]byte, benchDataLen), Nonce: uint64(n + i)}
			if err := a.Put(ctx, time.Unix(benchStart+86400*benchDays, 0), e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkArchiveLevelDB(b *testing.B) {
	a, err := OpenLevelDB(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	benchArchive(b, a)
}

func BenchmarkArchivePostgres(b *testing.B) {
	dsn := postgresDSN(b)
	schema := newSchemaName(b)
	defer dropSchema(b, dsn, schema)
	a, err := OpenPostgres(ctx, dsn, PostgresOptions{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	benchArchive(b, a)
}
