package api

import (
	"context"
	"reflect"
	"sort"
	"unicode"

	"github.com/ethereum/go-ethereum/rpc"
)

// registration is one Register(namespace, service) call.
type registration struct {
	namespace string
	service   any
}

// rpcMethod is one JSON-RPC method found on a registered service, chosen by
// the rules of go-ethereum's rpc/service.go (suitableCallbacks, newCallback,
// isPubSub), which this file mirrors so that the catalog lists exactly what
// the rpc.Server answers.
type rpcMethod struct {
	namespace string
	name      string       // lowerCamel, as formatName makes it
	recv      reflect.Type // the registered receiver's type
	goName    string       // the Go method name
	params    []reflect.Type
	result    reflect.Type // nil when the method returns no value
	subscribe bool         // a subscription: <namespace>_subscribe with name as first param
}

// fullName is "namespace_name"; subscriptions are reached through
// "<namespace>_subscribe".
func (m rpcMethod) fullName() string { return m.namespace + "_" + m.name }

var (
	contextType      = reflect.TypeFor[context.Context]()
	errorType        = reflect.TypeFor[error]()
	subscriptionType = reflect.TypeFor[rpc.Subscription]()
)

// methodsOf lists the RPC methods of every registration, sorted by
// namespace and name. A namespace registered twice merges, as in
// go-ethereum (a later method of the same name replaces the earlier one).
func methodsOf(regs []registration) []rpcMethod {
	byName := map[string]rpcMethod{}
	for _, r := range regs {
		for _, m := range suitableMethods(r.namespace, r.service) {
			key := m.namespace + "\x00" + m.name
			if m.subscribe {
				key += "\x00sub"
			}
			byName[key] = m
		}
	}
	out := make([]rpcMethod, 0, len(byName))
	for _, m := range byName {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].namespace != out[j].namespace {
			return out[i].namespace < out[j].namespace
		}
		if out[i].subscribe != out[j].subscribe {
			return !out[i].subscribe
		}
		return out[i].name < out[j].name
	})
	return out
}

// suitableMethods is go-ethereum's suitableCallbacks: every exported method
// with at most two results, the second (if any) an error and the first not.
func suitableMethods(namespace string, service any) []rpcMethod {
	typ := reflect.TypeOf(service)
	var out []rpcMethod
	for i := 0; i < typ.NumMethod(); i++ {
		method := typ.Method(i)
		if method.PkgPath != "" {
			continue
		}
		m, ok := newMethod(method.Type)
		if !ok {
			continue
		}
		m.namespace, m.name, m.recv, m.goName = namespace, formatName(method.Name), typ, method.Name
		out = append(out, m)
	}
	return out
}

// newMethod is go-ethereum's newCallback and makeArgTypes for a method type
// whose first input is the receiver.
func newMethod(ft reflect.Type) (rpcMethod, bool) {
	m := rpcMethod{subscribe: isPubSub(ft)}
	first := 1
	if ft.NumIn() > first && ft.In(first) == contextType {
		first++
	}
	for i := first; i < ft.NumIn(); i++ {
		m.params = append(m.params, ft.In(i))
	}
	switch {
	case ft.NumOut() > 2:
		return m, false
	case ft.NumOut() == 2 && (isErrorType(ft.Out(0)) || !isErrorType(ft.Out(1))):
		return m, false
	case ft.NumOut() == 2, ft.NumOut() == 1 && !isErrorType(ft.Out(0)):
		m.result = ft.Out(0)
	}
	return m, true
}

func isErrorType(t reflect.Type) bool { return t.Implements(errorType) }

// isPubSub: context first, results (Subscription or *Subscription, error).
func isPubSub(ft reflect.Type) bool {
	if ft.NumIn() < 2 || ft.NumOut() != 2 {
		return false
	}
	out := ft.Out(0)
	for out.Kind() == reflect.Pointer {
		out = out.Elem()
	}
	return ft.In(1) == contextType && out == subscriptionType && isErrorType(ft.Out(1))
}

// formatName lowercases the first letter, as go-ethereum does.
func formatName(name string) string {
	r := []rune(name)
	if len(r) > 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}
