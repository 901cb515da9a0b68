package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Redis deployments REDIS_URL can name.
const (
	RedisSingle   = "single"   // redis://, rediss://, unix://
	RedisSentinel = "sentinel" // redis-sentinel://[:password@]host:port[,host:port...]/master-name[/db]
	RedisCluster  = "cluster"  // redis-cluster://[:password@]host:port[,host:port...]
)

// RedisTarget is REDIS_URL taken apart. A single server keeps its URL,
// which asynq.ParseRedisURI reads; Sentinel and Cluster URLs list several
// addresses, which no standard URL parser accepts, so they are read here.
type RedisTarget struct {
	Mode     string
	URL      string   // RedisSingle: the URL as given
	Addrs    []string // Sentinel: the sentinels; Cluster: seed nodes
	Master   string   // Sentinel: the master's name
	Password string   // of the Redis servers (not of the sentinels)
	DB       int      // Sentinel: the logical database
}

// ParseRedisURL reads REDIS_URL. Errors never quote the URL, which may hold
// a password.
func ParseRedisURL(s string) (RedisTarget, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return RedisTarget{}, fmt.Errorf("must be a URL such as redis://host:6379/0")
	}
	switch scheme {
	case "redis", "rediss", "unix":
		return RedisTarget{Mode: RedisSingle, URL: s}, nil
	case "redis-sentinel", "redis-cluster":
	default:
		return RedisTarget{}, fmt.Errorf("must be a URL with scheme redis, rediss, unix, redis-sentinel or redis-cluster, got scheme %q", scheme)
	}
	t := RedisTarget{Mode: RedisSentinel}
	if scheme == "redis-cluster" {
		t.Mode = RedisCluster
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		userinfo := rest[:at]
		rest = rest[at+1:]
		_, pw, _ := strings.Cut(userinfo, ":")
		p, err := url.PathUnescape(pw)
		if err != nil {
			return RedisTarget{}, fmt.Errorf("has a badly escaped password")
		}
		t.Password = p
	}
	hosts, path, _ := strings.Cut(rest, "/")
	for _, h := range strings.Split(hosts, ",") {
		host, port, err := net.SplitHostPort(strings.TrimSpace(h))
		if err != nil || host == "" {
			return RedisTarget{}, fmt.Errorf("must list host:port addresses separated by commas")
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return RedisTarget{}, fmt.Errorf("has an address with a bad port")
		}
		t.Addrs = append(t.Addrs, net.JoinHostPort(host, port))
	}
	path = strings.Trim(path, "/")
	if t.Mode == RedisCluster {
		if path != "" {
			return RedisTarget{}, fmt.Errorf("redis-cluster URLs take no path: a cluster has only database 0")
		}
		return t, nil
	}
	master, db, _ := strings.Cut(path, "/")
	if master == "" {
		return RedisTarget{}, fmt.Errorf("must name the master: redis-sentinel://host:26379/master-name[/db]")
	}
	t.Master = master
	if db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return RedisTarget{}, fmt.Errorf("has a database that is not a non-negative number")
		}
		t.DB = n
	}
	return t, nil
}

// redisURL reads REDIS_URL: a Sentinel or Cluster URL by ParseRedisURL,
// any other as before.
func (l *loader) redisURL(name, def string) string {
	s := l.str(name, def)
	if !strings.HasPrefix(s, "redis-sentinel://") && !strings.HasPrefix(s, "redis-cluster://") {
		return l.url(name, def, "redis", "rediss", "unix")
	}
	if _, err := ParseRedisURL(s); err != nil {
		l.fail(name, "%s", err)
		return def
	}
	return s
}
