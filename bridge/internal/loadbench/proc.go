package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// It is 100 on every Linux architecture Go supports (the kernel's
// CONFIG_HZ does not change it), so it is not read with sysconf.
const clockTicks = 100

// cpuTime returns the user plus system CPU time pid has used so far, from
// fields 14 and 15 of /proc/<pid>/stat (10 ms resolution).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(b)
}

// parseStat reads utime+stime from the text of /proc/<pid>/stat. The
// command name (field 2) is in parentheses and may hold spaces, so fields
// are counted from the last ')'.
func parseStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc stat: no ')' in %q", clipBytes(b))
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so utime (14) is f[11] and stime (15) f[12].
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name, want at least 13", len(f))
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: utime %q stime %q are not numbers", f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

func clipBytes(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}

// memStatus is what /proc/<pid>/status says of a process's memory, in bytes.
type memStatus struct {
	RSS int64 // VmRSS: resident now
	HWM int64 // VmHWM: peak resident since start or the last resetPeak
}

// readMem reads VmRSS and VmHWM of pid.
func readMem(pid int) (memStatus, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}, err
	}
	defer f.Close()
	var m memStatus
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var dst *int64
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			dst = &m.RSS
		case strings.HasPrefix(line, "VmHWM:"):
			dst = &m.HWM
		default:
			continue
		}
		fs := strings.Fields(line) // "VmRSS:", "1234", "kB"
		if len(fs) >= 2 {
			kb, err := strconv.ParseInt(fs[1], 10, 64)
			if err == nil {
				*dst = kb << 10
			}
		}
	}
	return m, sc.Err()
}

// resetPeak resets pid's VmHWM to its current RSS (Linux >= 4.0: writing 5
// to clear_refs), so that the peak of one measured run is not that of an
// earlier one in the same process.
func resetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// pinSelf moves every thread of this process to cpu with taskset, so that
// the load generator runs on one core and the server under test on the
// other. Threads the Go runtime starts later inherit the mask.
func pinSelf(cpu int) error {
	out, err := exec.Command("taskset", "-a", "-p", "-c", strconv.Itoa(cpu), strconv.Itoa(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset -a -p -c %d %d: %v: %s", cpu, os.Getpid(), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// loadAvg returns the first three fields of /proc/loadavg ("" if unreadable).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// cpuTicks returns, per CPU, the ticks spent busy and in total so far
// (/proc/stat; busy is everything but idle and iowait).
func cpuTicks() (busy, total map[int]uint64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, nil, err
	}
	busy, total = map[int]uint64{}, map[int]uint64{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		n, err := strconv.Atoi(f[0][3:])
		if err != nil {
			continue
		}
		var sum, idle uint64
		for i, v := range f[1:] {
			x, _ := strconv.ParseUint(v, 10, 64)
			if i >= 7 { // steal is busy elsewhere; guest time is already in user
				if i == 7 {
					sum += x
				}
				continue
			}
			sum += x
			if i == 3 || i == 4 { // idle, iowait
				idle += x
			}
		}
		busy[n], total[n] = sum-idle, sum
	}
	return busy, total, nil
}
