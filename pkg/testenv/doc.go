// Package testenv gives each test its own world: a fresh PostgreSQL database
// built from the migrations, a Redis database of its own, and real servers on
// loopback that speak SMTP and Vonage's SMS API. Everything is removed in
// t.Cleanup. PostgreSQL and Redis must be running (see .ci/run): a missing
// service fails the test rather than skipping it.
package testenv
