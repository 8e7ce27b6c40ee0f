package intent_test

import (
	"encoding/json"
	"testing"

	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // -update, accepted by every test package
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/generated"
)

func ptr[T any](v T) *T { return &v }

func TestUserKeyAndString(t *testing.T) {
	tests := []struct {
		user    intent.User
		key     string
		str     string
		isGroup bool
	}{
		{intent.User{UserID: 42, UserName: "ignored by Key"}, "id:42", "ignored by Key", false},
		{intent.User{UserID: 42}, "id:42", "user #42", false},
		{intent.User{DomainName: "CORP", UserName: "JDoe"}, `name:corp\jdoe`, `CORP\JDoe`, false},
		{intent.User{UserName: "JDoe"}, "name:jdoe", "JDoe", false},
		{intent.User{Connected: true, Caller: "Svc"}, "caller:svc", "the connected user Svc", false},
		{intent.User{Connected: true}, "caller:", "the connected user", false},
		{intent.User{UserName: "Sales", Type: string(generated.WSUserTypeUserGroup)}, "name:sales", "Sales", true},
		{intent.User{UserName: "x", Type: string(generated.WSUserTypeSingleUser)}, "name:x", "x", false},
	}
	for _, tt := range tests {
		if got := tt.user.Key(); got != tt.key {
			t.Errorf("%+v: Key = %q, want %q", tt.user, got, tt.key)
		}
		if got := tt.user.String(); got != tt.str {
			t.Errorf("%+v: String = %q, want %q", tt.user, got, tt.str)
		}
		if got := tt.user.IsGroup(); got != tt.isGroup {
			t.Errorf("%+v: IsGroup = %v, want %v", tt.user, got, tt.isGroup)
		}
	}
}

func id(domain, name string) *generated.WSUserUniversalIdentifier {
	u := &generated.WSUserUniversalIdentifier{UserName: &name}
	if domain != "" {
		u.DomainName = &domain
	}
	return u
}

func list(us ...*generated.WSUserUniversalIdentifier) *generated.ArrayOfWSUserUniversalIdentifier {
	return &generated.ArrayOfWSUserUniversalIdentifier{WSUserUniversalIdentifier: us}
}

// TestFromOOF checks Therefore's rules on the decoded call, as the JSON
// every adapter is handed.
func TestFromOOF(t *testing.T) {
	tests := []struct {
		name   string
		params generated.SaveOutOfOfficeInfoForUserParams
		caller string
		want   string
	}{
		{
			name:   "no user: the connected caller; nothing else changes",
			params: generated.SaveOutOfOfficeInfoForUserParams{},
			caller: "jdoe",
			want:   `{"User":{"Connected":true,"Caller":"jdoe"}}`,
		},
		{
			name: "a user by every field, trimmed, and the status",
			params: generated.SaveOutOfOfficeInfoForUserParams{
				User:                 &generated.WSUserUniversalIdentifier{UserId: ptr(int32(7)), DomainName: ptr(" CORP "), UserName: ptr(" jdoe\t"), UserType: ptr(generated.WSUserTypeSingleUser)},
				IsOutOfOfficeEnabled: ptr(false),
			},
			want: `{"User":{"UserId":7,"DomainName":"CORP","UserName":"jdoe","UserType":"SingleUser"},"Enabled":false}`,
		},
		{
			name: "DelegateUsers replaces the list, deduplicated, and the add and delete lists are ignored",
			params: generated.SaveOutOfOfficeInfoForUserParams{
				User:                  id("", "boss"),
				DelegateUsers:         list(id("CORP", "a"), id("corp", "A"), nil, id("", "b")),
				DelegateUsersToAdd:    list(id("", "c")),
				DelegateUsersToDelete: list(id("", "d")),
			},
			want: `{"User":{"UserName":"boss"},"Delegates":{"Replace":true,"Set":[{"DomainName":"CORP","UserName":"a"},{"UserName":"b"}]}}`,
		},
		{
			name:   "an empty DelegateUsers clears the list",
			params: generated.SaveOutOfOfficeInfoForUserParams{User: id("", "boss"), DelegateUsers: list()},
			want:   `{"User":{"UserName":"boss"},"Delegates":{"Replace":true}}`,
		},
		{
			name: "a user both added and deleted stays",
			params: generated.SaveOutOfOfficeInfoForUserParams{
				User:                  id("", "boss"),
				DelegateUsersToAdd:    list(id("", "a"), id("", "b"), id("", "A")),
				DelegateUsersToDelete: list(id("", "B"), id("", "c")),
			},
			want: `{"User":{"UserName":"boss"},"Delegates":{"Add":[{"UserName":"a"},{"UserName":"b"}],"Delete":[{"UserName":"c"}]}}`,
		},
		{
			name:   "only deletions",
			params: generated.SaveOutOfOfficeInfoForUserParams{User: id("", "boss"), DelegateUsersToDelete: list(id("", "c"))},
			want:   `{"User":{"UserName":"boss"},"Delegates":{"Delete":[{"UserName":"c"}]}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(intent.FromOOF(&tt.params, tt.caller))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("FromOOF:\n got  %s\n want %s", got, tt.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	u := func(name string) intent.User { return intent.User{UserName: name} }
	current := []intent.User{u("a"), u("b"), u("c")}
	tests := []struct {
		name   string
		change *intent.DelegateChange
		want   []intent.User
	}{
		{"no change", nil, current},
		{"replace, deduplicated", &intent.DelegateChange{Replace: true, Set: []intent.User{u("x"), u("X")}}, []intent.User{u("x")}},
		{"replace with nothing", &intent.DelegateChange{Replace: true}, []intent.User{}},
		{"add and delete by key", &intent.DelegateChange{Add: []intent.User{u("d"), u("A")}, Delete: []intent.User{u("B")}}, []intent.User{u("a"), u("c"), u("d")}},
		{"delete someone absent", &intent.DelegateChange{Delete: []intent.User{u("z")}}, current},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.change.Apply(current)
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tt.want)
			if string(g) != string(w) {
				t.Errorf("Apply = %s, want %s", g, w)
			}
		})
	}
}
